"""OpenID Connect Back-Channel Logout 1.0: ProConnect ends an agent's sessions here.

Only with database-backed sessions (SESSION_ENGINE db or cached_db, Django's default):
a session kept only in a cache or a cookie cannot be found and ended from outside, so
the endpoint answers 404 then, and the operator does not declare it to ProConnect.

The logout token is a JWT signed by a key of ProConnect's JWKS, for this client, from
ProConnect, recent (iat), with a `jti` never seen before (kept 10 minutes in the cache),
the back-channel logout event, a `sid` or a `sub`, and no `nonce`. The sessions ended are
those of that ProConnect session (sid), or all the ProConnect sessions of that agent (sub).
"""

import logging
import time
from importlib import import_module

import jwt
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from intranet.proconnect.backend import ProConnectBackend
from intranet.proconnect.models import Identity, SignedInSession

logger = logging.getLogger(__name__)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
DB_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")
MAX_AGE = 600  # seconds: an older logout token is refused, and a jti is remembered so long


def backchannel_available() -> bool:
    return bool(settings.TRANSVERSE_PROCONNECT) and settings.SESSION_ENGINE in DB_ENGINES


def verified_logout_claims(token: str) -> dict:
    backend = ProConnectBackend()
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != backend.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("unexpected algorithm")
        claims = jwt.decode(
            token,
            backend.retrieve_matching_jwk(token),
            algorithms=[backend.OIDC_RP_SIGN_ALGO],
            audience=backend.OIDC_RP_CLIENT_ID,
            issuer=settings.TRANSVERSE_PROCONNECT_ISSUER,
            leeway=30,
            options={"require": ["iss", "aud", "iat", "jti", "events"]},
        )
    except jwt.PyJWTError as exc:
        raise SuspiciousOperation(f"logout token refused: {type(exc).__name__}") from exc
    events = claims.get("events")
    if not isinstance(events, dict) or EVENT not in events or "nonce" in claims:
        raise SuspiciousOperation("not a back-channel logout token")
    if not isinstance(claims.get("iat"), int | float) or claims["iat"] < time.time() - MAX_AGE:
        raise SuspiciousOperation("logout token too old")
    sid, sub = claims.get("sid"), claims.get("sub")
    if not (isinstance(sid, str) and sid) and not (isinstance(sub, str) and sub):
        raise SuspiciousOperation("logout token names no session and no subject")
    if not isinstance(claims["jti"], str) or not cache.add(
        f"proconnect:logout-jti:{claims['jti'][:200]}", 1, MAX_AGE
    ):
        raise SuspiciousOperation("logout token replayed")
    return claims


def sessions_end(claims: dict) -> int:
    links = SignedInSession.objects.all()
    if claims.get("sid"):
        links = links.filter(sid=claims["sid"])
        if claims.get("sub"):
            links = links.filter(user__proconnect_identity__sub=claims["sub"])
    else:
        user_ids = Identity.objects.filter(sub=claims["sub"]).values("user_id")
        links = links.filter(user_id__in=user_ids)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(links.values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()  # cached_db: from the cache too
    links.delete()
    return len(keys)


@csrf_exempt  # a server-to-server POST from ProConnect, authenticated by its signature
@login_not_required
@require_POST
@never_cache
def backchannel_logout(request):
    if not backchannel_available():
        raise Http404
    try:
        claims = verified_logout_claims(request.POST.get("logout_token", ""))
    except (SuspiciousOperation, ValueError, KeyError) as exc:
        logger.warning("ProConnect back-channel logout refused: %s", exc)
        return JsonResponse({"error": "invalid_request"}, status=400)
    ended = sessions_end(claims)
    logger.info("ProConnect back-channel logout: %d session(s) ended", ended)
    return JsonResponse({})
