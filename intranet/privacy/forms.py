"""The reason staff give for an erasure."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the request this erasure answers)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
