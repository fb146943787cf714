"""Reporting content and editing the charter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from intranet.moderation.models import Report


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CharterForm(forms.Form):
    body = forms.CharField(
        label=_("Text of the charter (Markdown)"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 16}),
    )


class CharterAcceptForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(label=_("I have read and I accept the charter of the network"))
