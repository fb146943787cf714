"""Input validation for the libraries: names, descriptions, comments, restrictions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.documents.models import Restriction


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Folder name"), max_length=255)


class RenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)


class DescribeForm(forms.Form):
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown; #topics tag the document."),
    )


class MoveForm(forms.Form):
    folder = forms.TypedChoiceField(label=_("Move to"), coerce=int, empty_value=0)

    def __init__(self, *args, folders=(), root_label="", **kwargs):
        super().__init__(*args, **kwargs)
        depth = {f.pk: f.path.count("/") - 2 for f in folders}
        self.fields["folder"].choices = [(0, root_label or _("The library's root"))] + [
            (f.pk, "— " * depth[f.pk] + f.name) for f in folders
        ]


class VersionForm(forms.Form):
    comment = forms.CharField(label=_("What changed"), required=False, max_length=500)


class RestrictForm(forms.Form):
    restriction = forms.ChoiceField(
        label=_("Who may see it"), choices=Restriction.choices, widget=forms.RadioSelect
    )
    agents = forms.CharField(
        label=_("Named agents"),
        required=False,
        max_length=2000,
        help_text=_("Logins separated by commas (with “named agents”)."),
    )

    def clean_agents(self):
        raw = self.cleaned_data["agents"]
        return [part.strip().lstrip("@") for part in raw.split(",") if part.strip()][:100]


class QuotaForm(forms.Form):
    quota_mb = forms.IntegerField(
        label=_("Quota (MB)"), required=False, min_value=0, max_value=100_000_000
    )
