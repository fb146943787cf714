"""Back-channel logout: a logout token signed by the real provider of conftest.py ends
the sessions of that ProConnect session, once, and only with database-backed sessions."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client

from intranet.proconnect.models import Identity, SignedInSession
from tests.proconnect.conftest import proconnect_sign_in
from tests.proconnect.test_flows import CLAIMS

pytestmark = pytest.mark.django_db

URL = "/accounts/proconnect/backchannel-logout/"


@pytest.fixture
def two_sessions(provider, alice):
    """alice signed in twice through ProConnect (two browsers, two ProConnect sessions)."""
    Identity.objects.create(user=alice, sub=CLAIMS["sub"])
    browsers = []
    for sid in ("sid-laptop", "sid-phone"):
        browser = Client()
        provider.agent(sid=sid, **CLAIMS)
        proconnect_sign_in(browser, provider)
        assert SESSION_KEY in browser.session
        browsers.append(browser)
    return browsers


def alive(browser) -> bool:
    return Session.objects.filter(session_key=browser.cookies["sessionid"].value).exists()


def test_logout_by_sid_ends_that_session_only(client, provider, two_sessions):
    laptop, phone = two_sessions
    token = provider.logout_token(sid="sid-laptop", sub=CLAIMS["sub"])
    response = client.post(URL, {"logout_token": token})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert not alive(laptop) and alive(phone)
    assert laptop.get("/").status_code == 302  # back to the sign-in page
    # The same token again: a replay, refused.
    assert client.post(URL, {"logout_token": token}).status_code == 400


def test_logout_by_sub_ends_every_session(client, provider, two_sessions):
    response = client.post(URL, {"logout_token": provider.logout_token(sub=CLAIMS["sub"])})
    assert response.status_code == 200
    assert not any(alive(browser) for browser in two_sessions)
    assert not SignedInSession.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"aud": "someone-else"},  # for another client
        {"age": 3600},  # too old
        {},  # names no session and no subject
    ],
)
def test_bad_logout_tokens_refused(client, provider, two_sessions, params):
    token = (
        provider.logout_token(**{"sid": "sid-laptop", **params})
        if params
        else (provider.logout_token())
    )
    assert client.post(URL, {"logout_token": token}).status_code == 400
    assert all(alive(browser) for browser in two_sessions)


def test_tampered_and_garbage_tokens_refused(client, provider, two_sessions):
    head, body, sig = provider.logout_token(sid="sid-laptop").split(".")
    for token in (f"{head}.{body}.{sig[:-4]}AAAA", "not-a-jwt", "", "\x00" * 10):
        assert client.post(URL, {"logout_token": token}).status_code == 400
    assert all(alive(browser) for browser in two_sessions)


def test_only_with_database_sessions(client, provider, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    token = provider.logout_token(sub=CLAIMS["sub"])
    assert client.post(URL, {"logout_token": token}).status_code == 404


def test_off_unless_configured(client):
    assert client.post(URL, {"logout_token": "x"}).status_code == 404
