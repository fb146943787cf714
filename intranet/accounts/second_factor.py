"""The second factor (TOTP, django-otp) and the session lifetimes.

Staff must confirm a code from an authenticator app after their password when
TRANSVERSE_STAFF_REQUIRE_OTP is on, and so must any agent who enrolled a device. Whether
a session needs the second factor is decided once, at sign-in, and kept in the session:
the middleware costs no query for the agents who need none. Until the session is
verified (django_otp.login), every page but the second-factor pages and sign-out
redirects to them: the code page, or the enrolment page for an account with no device.

Sessions also end after TRANSVERSE_SESSION_IDLE_SECONDS without a request, and
TRANSVERSE_SESSION_AGE after sign-in whatever the activity (Django renews a session's
expiry each time it is saved, so the absolute limit is kept here).
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django_otp import user_has_device

NEEDS = "transverse_second_factor"  # "verify" or "enrol" until verified; absent: none
SIGNED_IN_AT = "transverse_signed_in_at"
SEEN_AT = "transverse_seen_at"
# The last request's time is written at most this often (a session write per request
# would cost a database write for every page).
SEEN_PRECISION = 60


def second_factor_exempt(view):
    """Mark a view reachable before the second factor (its own pages, sign-out)."""
    view.second_factor_exempt = True
    return view


def second_factor_needed(agent) -> str:
    """ "verify", "enrol" or "" for an agent who just signed in with a password."""
    if user_has_device(agent, confirmed=True):
        return "verify"
    if agent.is_staff and settings.TRANSVERSE_STAFF_REQUIRE_OTP:
        return "enrol"
    return ""


def session_start(request, agent) -> None:
    """At sign-in: the session's start, and whether it needs the second factor."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = request.session[SEEN_AT] = now
    needs = second_factor_needed(agent)
    if needs:
        request.session[NEEDS] = needs
    else:
        request.session.pop(NEEDS, None)


def second_factor_done(request) -> None:
    request.session.pop(NEEDS, None)


def session_expired(session, now: int) -> bool:
    """Whether a session (a session store or its decoded data) is past the site's
    lifetimes at `now` (seconds since the epoch): pages and sockets ask the same."""
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if signed_in is None:
        return False  # signed in before this rule existed: Django's expiry still applies
    if now - signed_in > settings.SESSION_COOKIE_AGE:
        return True
    idle = settings.TRANSVERSE_SESSION_IDLE_SECONDS
    return bool(idle) and seen is not None and now - seen > idle


class SessionRulesMiddleware:
    """After AuthenticationMiddleware and django_otp's OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            if session_expired(request.session, now):
                logout(request)
                return redirect(settings.LOGIN_URL)
            if now - request.session.get(SEEN_AT, now) >= SEEN_PRECISION:
                request.session[SEEN_AT] = now
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        needs = request.session.get(NEEDS)
        if not needs or getattr(view_func, "second_factor_exempt", False):
            return None
        if getattr(view_func, "login_required", True) is False:
            return None  # public pages (health, static) stay public
        return redirect("accounts:otp-enrol" if needs == "enrol" else "accounts:otp-verify")
