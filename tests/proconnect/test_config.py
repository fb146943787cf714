"""ProConnect's settings: all three or none, a real URL, a known policy for unknown agents."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from intranet.proconnect.config import proconnect_settings


def test_off_without_variables():
    assert proconnect_settings("", "", "", "refuse") == {}


@pytest.mark.parametrize(
    "issuer, client_id, secret, unknown",
    [
        ("https://idp.example.fr/api/v2", "", "", "refuse"),  # only part of it
        ("", "client", "secret", "refuse"),
        ("javascript:alert(1)", "client", "secret", "refuse"),
        ("idp.example.fr", "client", "secret", "refuse"),
        ("https://idp.example.fr/api/v2", "client", "secret", "maybe"),
    ],
)
def test_misconfiguration_refused_at_start(issuer, client_id, secret, unknown):
    with pytest.raises(ImproperlyConfigured):
        proconnect_settings(issuer, client_id, secret, unknown)


def test_what_proconnect_needs():
    conf = proconnect_settings("https://idp.example.fr/api/v2/", "client", "secret", "create")
    assert conf["OIDC_OP_AUTHORIZATION_ENDPOINT"] == "https://idp.example.fr/api/v2/authorize"
    assert conf["OIDC_OP_LOGOUT_ENDPOINT"] == "https://idp.example.fr/api/v2/session/end"
    assert conf["OIDC_AUTH_REQUEST_EXTRA_PARAMS"] == {"acr_values": "eidas1"}
    assert conf["OIDC_USE_NONCE"] and conf["OIDC_USE_PKCE"]
    assert conf["OIDC_PKCE_CODE_CHALLENGE_METHOD"] == "S256"
    assert conf["OIDC_RP_SIGN_ALGO"] == "RS256" and conf["OIDC_CREATE_USER"] is True
    assert "given_name" in conf["OIDC_RP_SCOPES"] and "siret" in conf["OIDC_RP_SCOPES"]
