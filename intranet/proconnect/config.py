"""ProConnect settings read from the environment (documented in docs/deploy.md, "ProConnect").

Off unless TRANSVERSE_PROCONNECT_ISSUER, _CLIENT_ID and _CLIENT_SECRET are all set. The
endpoints are the ones ProConnect publishes under its issuer (…/api/v2/authorize, /token,
/userinfo, /jwks, /session/end); mozilla-django-oidc reads them as its OIDC_* settings.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

UNKNOWN_AGENTS = ("refuse", "create")
# What ProConnect gives: https://partenaires.proconnect.gouv.fr/docs/fournisseur-service
SCOPES = "openid email given_name usual_name uid siret organizational_unit idp_id"


def proconnect_settings(issuer: str, client_id: str, secret: str, unknown: str) -> dict:
    """The settings to add to the project's: {} when ProConnect is not configured."""
    if not (issuer or client_id or secret):
        return {}
    if not (issuer and client_id and secret):
        raise ImproperlyConfigured(
            "ProConnect needs TRANSVERSE_PROCONNECT_ISSUER, TRANSVERSE_PROCONNECT_CLIENT_ID "
            "and TRANSVERSE_PROCONNECT_CLIENT_SECRET together."
        )
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ImproperlyConfigured("TRANSVERSE_PROCONNECT_ISSUER must be an http(s) URL.")
    if unknown not in UNKNOWN_AGENTS:
        raise ImproperlyConfigured(
            "TRANSVERSE_PROCONNECT_UNKNOWN_AGENTS must be one of: " + ", ".join(UNKNOWN_AGENTS)
        )
    issuer = issuer.rstrip("/")
    return {
        "TRANSVERSE_PROCONNECT_ISSUER": issuer,
        "TRANSVERSE_PROCONNECT_ORIGIN": f"{parts.scheme}://{parts.netloc}",
        "TRANSVERSE_PROCONNECT_UNKNOWN_AGENTS": unknown,
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": secret,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_SCOPES": SCOPES,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{issuer}/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": f"{issuer}/token",
        "OIDC_OP_USER_ENDPOINT": f"{issuer}/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": f"{issuer}/jwks",
        "OIDC_OP_LOGOUT_ENDPOINT": f"{issuer}/session/end",
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {"acr_values": "eidas1"},
        "OIDC_STORE_ID_TOKEN": True,  # logout through ProConnect needs it (id_token_hint)
        "OIDC_CREATE_USER": unknown == "create",
        "OIDC_TIMEOUT": 5,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "proconnect:callback",
        "LOGIN_REDIRECT_URL_FAILURE": "proconnect:refused",
    }
