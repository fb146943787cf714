"""Input validation for wiki pages: the page form (with the version it started from),
restore."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.wiki.models import MAX_BODY, MAX_TITLE, WikiPage


class PageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_(
            "Markdown: **bold**, *italics*, lists, links; [[Title of a page]] links to "
            "another page of the group."
        ),
    )
    parent = forms.TypedChoiceField(
        label=_("Under the page"), coerce=int, required=False, empty_value=None
    )
    editors = forms.ChoiceField(
        label=_("Who may edit this page"),
        choices=WikiPage.Editors.choices,
        initial=WikiPage.Editors.MEMBERS,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Summary of the change (optional)"), max_length=200, required=False
    )
    minor = forms.BooleanField(
        label=_("Minor change (not announced in the group's feed)"), required=False
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )

    def __init__(self, *args, parents, may_set_editors: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.parents = dict(parents)
        self.fields["parent"].choices = [("", _("— None: a top page —")), *parents]
        if not may_set_editors:
            del self.fields["editors"]

    def clean_parent(self):
        pk = self.cleaned_data.get("parent")
        if pk is not None and pk not in self.parents:
            raise forms.ValidationError(_("Choose a page of this group."))
        return pk


class RestoreForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
