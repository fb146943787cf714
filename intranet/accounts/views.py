"""Sign-in and sign-out pages (Django's views with our form and templates), and the language
switch, which remembers a signed-in agent's choice."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language
from django_otp import login as otp_login

from intranet.accounts.forms import AgentSettingsForm, SecondFactorForm, SignInForm
from intranet.accounts.second_factor import NEEDS, second_factor_done, second_factor_exempt
from intranet.accounts.services import (
    agent_language_set,
    agent_time_zone_set,
    otp_check,
    otp_enrolment_confirm,
    otp_enrolment_device,
)
from intranet.audit import kinds
from intranet.audit.services import audit_record


def set_language_cookie(response, language: str) -> None:
    """The cookie LocaleMiddleware reads, with the attributes Django's set_language gives it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # The ProConnect button (intranet/proconnect), shown only when it is configured.
        return super().get_context_data(
            proconnect=getattr(settings, "TRANSVERSE_PROCONNECT", False), **kwargs
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        agent = form.get_user()
        if agent.language:  # blank: keep the language of the browser (or the site's)
            set_language_cookie(response, agent.preferred_language)
        return response


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Django's view; each request is in the audit trail (the accounts it was sent to)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        email = form.cleaned_data["email"]
        agents = list(form.get_users(email))
        for agent in agents:
            audit_record(kinds.PASSWORD_RESET_REQUESTED, actor=None, target=agent, login=email)
        if not agents:
            audit_record(kinds.PASSWORD_RESET_REQUESTED, actor=None, login=email, known=False)
        return response


class PasswordResetSetView(auth_views.PasswordResetConfirmView):
    """Django's view; a password set through a reset link is in the audit trail."""

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(kinds.PASSWORD_RESET, actor=form.user, target=form.user)
        return response


@login_not_required
def language_switch(request):
    """Django's set_language (its checks and its safe "next"), then remember a signed-in
    agent's choice when the switch accepted it."""
    response = set_language(request)
    accepted = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if accepted is not None and request.user.is_authenticated:
        try:  # set_language accepts variants such as "en-gb": store the offered language
            language = translation.get_supported_language_variant(accepted.value)
        except LookupError:
            return response
        agent_language_set(request.user, language=language)
    return response


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@second_factor_exempt
def otp_enrol(request):
    """Enrol an authenticator app: a QR code drawn here (no other host), the secret in
    text for those who type it, then a code to confirm; the recovery codes are shown once."""
    device = otp_enrolment_device(request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = otp_enrolment_confirm(request.user, code=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            second_factor_done(request)
            return render(request, "accounts/otp_codes.html", {"codes": codes})
        form.add_error("code", _("This code is not the one your app shows. Try the next one."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=4, title=str(_("QR code to scan with your authenticator app")))
    return render(
        request,
        "accounts/otp_enrol.html",
        {"form": form, "secret": _grouped(secret), "qr": mark_safe(svg)},  # noqa: S308 - segno's own markup
    )


@never_cache
@second_factor_exempt
def otp_verify(request):
    """The code asked after the password, for an account with a confirmed device."""
    if request.session.get(NEEDS) != "verify":
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp_check(request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            second_factor_done(request)
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error("code", _("This code is not valid. Check your app and try again."))
    return render(request, "accounts/otp_verify.html", {"form": form})


def agent_settings(request):
    """The signed-in agent's settings: the time zone."""
    form = AgentSettingsForm(request.POST or None, initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and form.is_valid():
        agent_time_zone_set(request.user, time_zone=form.cleaned_data["time_zone"])
        messages.success(request, _("Your settings have been saved."))
        return redirect("accounts:agent-settings")
    status = 400 if form.errors else 200
    return render(request, "accounts/agent_settings.html", {"form": form}, status=status)
