"""The interface language is remembered on the agent: the switch stores it, sign-in restores it.

Roles: `alice`, an agent who switches to English; nobody else is needed.
"""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from intranet.accounts.models import User
from intranet.accounts.services import agent_language_set
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def signed_in(username) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def switch(client, language, next_url="/groups/"):
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def stored(agent) -> str:
    return User.objects.values_list("language", flat=True).get(pk=agent.pk)


def test_switch_stores_the_signed_in_agents_choice(alice):
    client = signed_in("alice")
    response = switch(client, "en")
    assert response.status_code == 302 and response.url == "/groups/"
    assert response.cookies[COOKIE].value == "en"
    assert stored(alice) == "en"
    switch(client, "fr")
    assert stored(alice) == "fr"


def test_anonymous_switch_still_sets_the_cookie_and_stores_nothing(alice):
    client = Client()
    response = switch(client, "en", next_url="/accounts/login/")
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert response.cookies[COOKIE].value == "en"
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b'lang="en"' in page.content
    assert stored(alice) == ""


def test_a_language_variant_is_stored_as_the_offered_language(alice):
    client = signed_in("alice")
    response = switch(client, "en-gb")
    assert response.status_code == 302
    assert stored(alice) == "en"


def test_sign_in_restores_the_stored_language(alice):
    agent_language_set(alice, language="en")
    client = Client()  # a new browser: no language cookie yet
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.cookies[COOKIE].value == "en"
    page = client.get("/")
    assert page.status_code == 200
    assert b'<html lang="en"' in page.content and b"Sign out" in page.content


def test_sign_in_without_a_stored_choice_keeps_the_browsers_language(alice):
    client = Client()
    switch(client, "en", next_url="/accounts/login/")
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert COOKIE not in response.cookies  # nothing stored: the cookie the agent set stays
    assert b'<html lang="en"' in client.get("/").content


@pytest.mark.parametrize(
    "language",
    ["xx", "klingon", "en-" + "a" * 5000, "e" * 10_000, "en\x00", "\x00", "fr'; DROP TABLE", ""],
)
def test_hostile_language_codes_store_nothing_and_never_fail(alice, language):
    client = signed_in("alice")
    response = switch(client, language)
    assert response.status_code == 302 and response.url == "/groups/"
    assert COOKIE not in response.cookies
    assert stored(alice) == ""


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "\x00"],
)
def test_forged_next_goes_home_and_the_choice_is_still_stored(alice, next_url):
    client = signed_in("alice")
    response = switch(client, "en", next_url=next_url)
    assert response.status_code == 302 and response.url == "/"
    assert stored(alice) == "en"


def test_get_on_the_switch_changes_nothing(alice):
    client = signed_in("alice")
    response = client.get("/i18n/setlang/", {"language": "en", "next": "/groups/"})
    assert response.status_code == 302 and COOKIE not in response.cookies
    assert stored(alice) == ""


def test_service_refuses_a_language_that_is_not_offered(alice, english):
    with pytest.raises(ValidationError) as refused:
        agent_language_set(alice, language="de")
    assert refused.value.messages == ["This language is not offered."]
    assert stored(alice) == ""
    assert agent_language_set(alice, language="").language == ""


def test_a_stored_language_no_longer_offered_falls_back_to_the_site(alice, settings):
    User.objects.filter(pk=alice.pk).update(language="de")  # LANGUAGES changed since
    alice.refresh_from_db()
    assert alice.preferred_language == settings.LANGUAGE_CODE


def test_site_administrator_sees_the_language_in_the_admin(alice, staff, client):
    agent_language_set(alice, language="en")
    client.force_login(staff)
    response = client.get(f"/admin/accounts/user/{alice.pk}/change/")
    assert response.status_code == 200
    assert b'<option value="en" selected>' in response.content
