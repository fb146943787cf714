"""ProConnect's pages: start a sign-in, come back from it, say why it was refused, sign out.

Every one answers 404 while ProConnect is not configured. Whatever the provider or a
visitor sends back (a replayed or unknown state, a tampered or expired token, an error
answer, an unreachable provider) ends on the refusal page, never on an error page.
"""

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import get_random_string
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from intranet.proconnect.backend import REFUSAL_KEY, Refusal
from intranet.proconnect.models import SignedInSession

logger = logging.getLogger(__name__)

# Where mozilla-django-oidc keeps the ID token (OIDC_STORE_ID_TOKEN), not a secret name.
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105


def _configured_or_404():
    if not settings.TRANSVERSE_PROCONNECT:
        raise Http404


class SignInView(OIDCAuthenticationRequestView):
    http_method_names = ["get"]


class CallbackView(OIDCAuthenticationCallbackView):
    http_method_names = ["get"]

    def dispatch(self, request, *args, **kwargs):
        request.session.pop(REFUSAL_KEY, None)
        try:
            return super().dispatch(request, *args, **kwargs)
        except (SuspiciousOperation, requests.RequestException, ValueError) as exc:
            logger.warning("ProConnect sign-in failed: %s", exc)
            request.session[REFUSAL_KEY] = Refusal.INVALID
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        session = self.request.session
        if session.session_key is None:
            session.save()
        SignedInSession.objects.update_or_create(
            session_key=session.session_key,
            defaults={"sid": getattr(self.request, "proconnect_sid", ""), "user": self.user},
        )
        return response

    def login_failure(self):
        self.request.session.setdefault(REFUSAL_KEY, Refusal.INVALID)
        return HttpResponseRedirect(reverse("proconnect:refused"))


def _when_configured(view):
    """The view, or 404 while ProConnect is off (mozilla-django-oidc's views read their
    settings when made, so they are not made then)."""

    @login_not_required
    def wrapper(request, *args, **kwargs):
        _configured_or_404()
        return view(request, *args, **kwargs)

    return wrapper


sign_in = _when_configured(SignInView.as_view())
callback = _when_configured(CallbackView.as_view())


@login_not_required
def refused(request):
    _configured_or_404()
    reason = request.session.get(REFUSAL_KEY, Refusal.INVALID)
    return render(request, "proconnect/refused.html", {"reason": reason})


@login_not_required
def logout(request):
    """Sign-out. After a ProConnect sign-in, the ProConnect session ends too: the agent
    goes to its end_session endpoint with the ID token as id_token_hint."""
    id_token = request.session.get(ID_TOKEN_KEY) if request.method == "POST" else None
    if not (settings.TRANSVERSE_PROCONNECT and id_token):
        return auth_views.LogoutView.as_view()(request)
    SignedInSession.objects.filter(session_key=request.session.session_key).delete()
    auth.logout(request)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
        }
    )
    return HttpResponseRedirect(f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}")
