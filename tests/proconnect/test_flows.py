"""ProConnect sign-in against a real OpenID provider in another process (conftest.py)."""

import pytest
from django.contrib.auth import SESSION_KEY

from intranet.accounts.models import User
from intranet.proconnect.models import DepartmentMapping, Identity
from tests.factories import make_department
from tests.proconnect.conftest import CLIENT_ID, proconnect_sign_in

pytestmark = pytest.mark.django_db

CLAIMS = {
    "sub": "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1",
    "email": "Alice.Lefevre@finances.gouv.fr",
    "email_verified": True,
    "given_name": "Alice Marie",
    "usual_name": "Lefèvre-Durand",
    "uid": "1",
    "siret": "13002526500013",
    "organizational_unit": "Bureau du budget",
    "idp_id": "fia1v2",
}


@pytest.fixture(autouse=True)
def _english_pages(client):
    """Pages in English, so tests can state their words whatever the French catalogue."""
    client.cookies["django_language"] = "en"


def signed_in(client):
    return SESSION_KEY in client.session


def test_off_unless_configured(client):
    assert client.get("/accounts/proconnect/login/").status_code == 404
    assert client.get("/accounts/proconnect/callback/?code=x&state=y").status_code == 404
    assert "ProConnect" not in client.get("/accounts/login/").content.decode()


def test_button_only_when_configured(client, provider):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/proconnect/login/"' in page
    assert "/static/transverse/proconnect.svg" in page
    assert provider.base not in page  # no request to another host from the page


def test_link_by_verified_email_then_by_sub(client, provider, alice, finance):
    alice.email = "alice.lefevre@finances.gouv.fr"
    alice.save()
    budget = make_department("Bureau du budget", parent=finance)
    DepartmentMapping.objects.create(siret=CLAIMS["siret"], department=finance)
    DepartmentMapping.objects.create(
        siret=CLAIMS["siret"], organizational_unit="Bureau du budget", department=budget
    )
    provider.agent(**CLAIMS)
    response, _ = proconnect_sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(alice.pk)
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name) == ("Alice Marie", "Lefèvre-Durand")
    assert alice.department == budget
    identity = alice.proconnect_identity
    assert (identity.sub, identity.siret, identity.organizational_unit) == (
        CLAIMS["sub"],
        CLAIMS["siret"],
        "Bureau du budget",
    )
    # What the provider was asked: eidas1, a nonce, PKCE S256, our client.
    authorize = [entry for entry in provider.log() if entry["endpoint"] == "authorize"][-1]
    assert authorize["acr_values"] == "eidas1"
    assert authorize["code_challenge_method"] == "S256" and authorize["nonce"]
    assert authorize["client_id"] == CLIENT_ID

    # Later the e-mail changes at the provider: the sub still finds alice, no new account.
    client.logout()
    provider.agent(**{**CLAIMS, "email": "a.lefevre@budget.gouv.fr"})
    proconnect_sign_in(client, provider)
    assert client.session[SESSION_KEY] == str(alice.pk)
    assert User.objects.count() == 1 and Identity.objects.count() == 1


def test_unverified_email_does_not_link(client, provider, alice):
    alice.email = CLAIMS["email"]
    alice.save()
    provider.agent(**{**CLAIMS, "email_verified": False})
    response, _ = proconnect_sign_in(client, provider)
    assert response["Location"] == "/accounts/proconnect/refused/"
    assert not signed_in(client) and not Identity.objects.exists()


def test_unknown_agent_refused_with_a_clear_page(client, provider):
    provider.agent(**CLAIMS)
    response, _ = proconnect_sign_in(client, provider)
    assert response["Location"] == "/accounts/proconnect/refused/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "does not create accounts" in page.content.decode()
    assert not signed_in(client) and not User.objects.exists()


def test_unknown_agent_created_when_asked(client, provider, settings):
    settings.OIDC_CREATE_USER = True
    provider.agent(**CLAIMS)
    proconnect_sign_in(client, provider)
    agent = User.objects.get()
    assert client.session[SESSION_KEY] == str(agent.pk)
    assert agent.source == User.Source.PROCONNECT and not agent.has_usable_password()
    assert agent.display_name == "Alice Marie Lefèvre-Durand"
    # Signing in again: the same account.
    client.logout()
    proconnect_sign_in(client, provider)
    assert User.objects.count() == 1


def test_email_on_an_account_linked_to_another_sub_is_never_relinked(
    client, provider, alice, settings
):
    settings.OIDC_CREATE_USER = True
    alice.email = CLAIMS["email"]
    alice.save()
    Identity.objects.create(user=alice, sub="another-sub")
    provider.agent(**CLAIMS)
    response, _ = proconnect_sign_in(client, provider)
    assert response["Location"] == "/accounts/proconnect/refused/"
    assert not signed_in(client) and User.objects.count() == 1


def test_deactivated_agent_refused(client, provider, alice):
    alice.is_active = False
    alice.save()
    Identity.objects.create(user=alice, sub=CLAIMS["sub"])
    provider.agent(**CLAIMS)
    response, _ = proconnect_sign_in(client, provider)
    assert response["Location"] == "/accounts/proconnect/refused/"
    assert "deactivated" in client.get(response["Location"]).content.decode()
    assert not signed_in(client)


@pytest.mark.parametrize("mode", ["tamper", "wrong_aud", "expired"])
def test_bad_tokens_refused(client, provider, alice, mode):
    Identity.objects.create(user=alice, sub=CLAIMS["sub"])
    provider.agent(mode, **CLAIMS)
    response, _ = proconnect_sign_in(client, provider)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/proconnect/refused/"
    assert not signed_in(client)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "invalid or has expired" in page.content.decode()


def test_replayed_state_refused(client, provider, alice):
    Identity.objects.create(user=alice, sub=CLAIMS["sub"])
    provider.agent(**CLAIMS)
    _response, callback = proconnect_sign_in(client, provider)
    assert signed_in(client)
    client.logout()
    replay = client.get(callback)
    assert replay.status_code == 302 and replay["Location"] == "/accounts/proconnect/refused/"
    assert not signed_in(client)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?code=x",
        "?state=y",
        "?code=x&state=y",
        "?error=access_denied&state=y",
        "?code=%00&state=%ff",
    ],
)
def test_hostile_callbacks_never_fail(client, provider, query):
    client.get("/accounts/proconnect/login/")  # a state in the session
    response = client.get("/accounts/proconnect/callback/" + query)
    assert response.status_code == 302 and response["Location"] == "/accounts/proconnect/refused/"
    assert not signed_in(client)


def test_logout_through_proconnect_with_id_token_hint(client, provider, alice):
    Identity.objects.create(user=alice, sub=CLAIMS["sub"])
    provider.agent(**CLAIMS)
    proconnect_sign_in(client, provider)
    id_token = client.session["oidc_id_token"]
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"].startswith(provider.issuer + "/session/end?")
    assert not signed_in(client)
    import requests

    requests.get(response["Location"], allow_redirects=False, timeout=5)
    ended = [e for e in provider.log() if e["endpoint"] == "session/end"][-1]
    assert ended["id_token_hint"] == id_token and ended["state"]
    assert ended["post_logout_redirect_uri"] == "http://testserver/accounts/login/"


def test_password_sign_out_stays_local(client, provider, alice):
    client.force_login(alice)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert not signed_in(client)
