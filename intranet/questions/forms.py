"""Input validation for questions and answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.groups.models import Group, Membership
from intranet.questions.models import MAX_BODY, MAX_TITLE
from intranet.questions.selectors import LIST_FILTERS, active_themes
from intranet.stream.forms import CharterMixin, new_idempotency_key


class QuestionForm(CharterMixin, forms.Form):
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=active_themes(),
        empty_label=_("Choose a theme"),
        error_messages={
            "required": _("Choose a theme."),
            "invalid_choice": _("Choose a theme from the list."),
        },
    )
    title = forms.CharField(
        label=_("Your question"),
        max_length=MAX_TITLE,
        error_messages={"required": _("Write your question.")},
    )
    body = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Optional. Markdown: **bold**, lists, links."),
    )
    group = forms.ModelChoiceField(
        label=_("Asked in a group"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("No: the whole organisation may read it"),
        help_text=_("In a group, only the people who may read that group see the question."),
        error_messages={"invalid_choice": _("Choose one of your groups.")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = active_themes()
        self.fields["group"].queryset = Group.objects.filter(
            archived_at__isnull=True,
            pk__in=Membership.objects.filter(agent_id=actor.pk).values("group_id"),
        ).order_by("name_key")
        self.fields["idempotency_key"].initial = new_idempotency_key()
        self.add_charter_field(actor)


class QuestionEditForm(forms.Form):
    title = forms.CharField(
        label=_("Your question"),
        max_length=MAX_TITLE,
        error_messages={"required": _("Write your question.")},
    )
    body = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AnswerForm(CharterMixin, forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown: **bold**, lists, links."),
        error_messages={"required": _("Write your answer before publishing.")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = new_idempotency_key()
        self.add_charter_field(actor)


class AnswerEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your answer before publishing.")},
    )


class ListFilterForm(forms.Form):
    show = forms.ChoiceField(choices=[(v, v) for v in LIST_FILTERS], required=False)
    theme = forms.SlugField(required=False, max_length=120)
