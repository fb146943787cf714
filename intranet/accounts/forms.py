"""Sign-in form: the fields are `username` and `password`."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Login"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "Sign-in failed: check your login and password. Logins are not case-sensitive."
        ),
        "inactive": _("This account is disabled."),
    }
