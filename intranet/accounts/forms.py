"""Sign-in form: the fields are `username` and `password`.

One generic message for every refusal (wrong password, unknown login, disabled or locked
account), a distinct one when the directory cannot be reached, and a throttle on failed
attempts per login, per address and per login from one address (accounts.throttle).
"""

import functools
import unicodedata

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from intranet.accounts.audit import Reason, lock_out_record, sign_in_failure_log
from intranet.accounts.signin import directory_was_unavailable
from intranet.accounts.throttle import (
    sign_in_failure_record,
    sign_in_success_record,
    sign_in_throttled,
)
from intranet.core.widgets import ListSelect


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
        "directory_unavailable": _(
            "The directory is unavailable, so directory accounts cannot sign in right now. "
            "Try again in a few minutes."
        ),
        "throttled": _("Too many failed sign-in attempts. Wait a few minutes and try again."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if not username.isprintable():
            # NUL and control characters: no login has them, and some databases refuse them.
            sign_in_failure_log(self.request, username, Reason.MALFORMED)
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        if username and sign_in_throttled(self.request, username):
            # Refused before authenticate(), so contrib.auth's user_login_failed is not sent.
            sign_in_failure_log(self.request, username, Reason.THROTTLED)
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            if directory_was_unavailable(self.request):
                raise ValidationError(
                    self.error_messages["directory_unavailable"], code="directory_unavailable"
                ) from None
            if username:
                lock_out_record(
                    self.request, username, sign_in_failure_record(self.request, username)
                )
            raise
        if username and self.user_cache is not None:
            sign_in_success_record(self.request, username)
        return cleaned


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_(
            "The 6-digit code your authenticator app shows, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


# The regions the IANA zones are grouped under, as the select shows them.
TIME_ZONE_REGIONS = {
    "Africa": pgettext_lazy("time zone region", "Africa"),
    "America": pgettext_lazy("time zone region", "America"),
    "Antarctica": pgettext_lazy("time zone region", "Antarctica"),
    "Arctic": pgettext_lazy("time zone region", "Arctic"),
    "Asia": pgettext_lazy("time zone region", "Asia"),
    "Atlantic": pgettext_lazy("time zone region", "Atlantic Ocean"),
    "Australia": pgettext_lazy("time zone region", "Australia"),
    "Brazil": pgettext_lazy("time zone region", "Brazil"),
    "Canada": pgettext_lazy("time zone region", "Canada"),
    "Chile": pgettext_lazy("time zone region", "Chile"),
    "Etc": pgettext_lazy("time zone region", "Fixed offsets"),
    "Europe": pgettext_lazy("time zone region", "Europe"),
    "Indian": pgettext_lazy("time zone region", "Indian Ocean"),
    "Mexico": pgettext_lazy("time zone region", "Mexico"),
    "Pacific": pgettext_lazy("time zone region", "Pacific Ocean"),
    "US": pgettext_lazy("time zone region", "United States"),
    "UTC": pgettext_lazy("time zone region", "UTC"),
    "Other": pgettext_lazy("time zone region", "Other"),
}


def time_zone_choices() -> list:
    """The system's zones grouped by region (Europe, America, Pacific…), by name, the
    regions named in the active language."""
    return _time_zone_choices(get_language())


@functools.cache
def _time_zone_choices(language: str | None) -> list:
    """Built once per language, like the names (a form reads them to render, to validate
    and to know whether the first choice is blank)."""
    from intranet.accounts.models import time_zone_names

    groups: dict[str, list] = {}
    for name in sorted(time_zone_names()):
        region, _slash, place = name.partition("/")
        if not place:
            region, place = "UTC" if name.startswith(("UTC", "Etc")) else "Other", name
        groups.setdefault(region, []).append((name, place.replace("_", " ").replace("/", " – ")))
    named = [
        (str(TIME_ZONE_REGIONS.get(region, region)), options) for region, options in groups.items()
    ]
    # By name without accents: "États-Unis" among the E, not after every other region.
    return sorted(named, key=lambda item: _unaccented(item[0]))


def _unaccented(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


class AgentSettingsForm(forms.Form):
    """The agent's own settings: the time zone dates and times are shown in."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Dates and times of sessions, messages and notifications are shown in it."),
        widget=ListSelect,  # about 600 options: Django's templates cost ~200 ms a page
    )
