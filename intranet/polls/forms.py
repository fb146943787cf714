"""Input of polls: the question, one choice a line, the closing date, the options."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.polls.models import MAX_QUESTION, Poll


class PollForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=MAX_QUESTION)
    choices = forms.CharField(
        label=_("Choices, one per line"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    closes_at = forms.DateTimeField(
        label=_("Closes on"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    multiple = forms.BooleanField(label=_("Several answers allowed"), required=False)
    anonymous = forms.BooleanField(label=_("Anonymous votes"), required=False, initial=True)
    results = forms.ChoiceField(
        label=_("Results shown"),
        choices=Poll.Results.choices,
        widget=forms.RadioSelect,
        initial=Poll.Results.AFTER_VOTE,
    )

    def clean_choices(self):
        return self.cleaned_data["choices"].splitlines()
