"""Pages are in French by default and in English once the agent has chosen it."""

import datetime

import pytest
from django.urls import reverse

# (url name or path, French text, English text) on key pages.
SIGNED_IN_PAGES = [
    ("/", "Bonjour Alice", "Hello, Alice"),
    ("/people/", "Annuaire des agents", "People directory"),
    ("/people/alice/", "Modifier mon profil", "Edit my profile"),
    ("/people/alice/edit/", "Identité et poste", "Identity and position"),
    ("/departments/", "Organigramme", "Organisation chart"),
]


@pytest.fixture
def alice_joined(alice):
    """alice, who joined on 5 February 2024 (a date whose month reads differently)."""
    alice.date_joined = datetime.datetime(2024, 2, 5, 9, 30, tzinfo=datetime.UTC)
    alice.save(update_fields=["date_joined"])
    return alice


def choose_language(client, code):
    response = client.post(reverse("set_language"), {"language": code, "next": "/"})
    assert response.status_code == 302


def test_sign_in_page_is_in_french_by_default(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="fr">' in html
    assert "Se connecter" in html
    assert "Identifiant" in html
    assert "Aller au contenu principal" in html


def test_sign_in_page_is_in_english_after_choosing_it(client, db):
    choose_language(client, "en")
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in" in html and "Login" in html and "Se connecter" not in html


@pytest.mark.parametrize(("path", "french", "english"), SIGNED_IN_PAGES)
def test_page_is_in_french_by_default(alice_client, path, french, english):
    html = alice_client.get(path).content.decode()
    assert '<html lang="fr">' in html
    assert french in html
    assert english not in html
    assert "Annuaire" in html and "Services" in html  # the main menu


@pytest.mark.parametrize(("path", "french", "english"), SIGNED_IN_PAGES)
def test_page_is_in_english_after_choosing_it(alice_client, path, french, english):
    choose_language(alice_client, "en")
    html = alice_client.get(path).content.decode()
    assert '<html lang="en">' in html
    assert english in html
    assert french not in html
    assert "People" in html and "Departments" in html


def test_profile_dates_follow_the_language(alice_client, alice_joined):
    assert "5 février 2024" in alice_client.get("/people/alice/").content.decode()
    choose_language(alice_client, "en")
    assert "5 Feb 2024" in alice_client.get("/people/alice/").content.decode()


def test_english_dates_put_the_day_first(alice_client, alice_joined):
    """English follows the United Kingdom's order: 05/02/2024 is 5 February, as in French."""
    from django.utils import formats, translation

    choose_language(alice_client, "en")
    html = alice_client.get("/people/alice/").content.decode()
    assert "5 Feb 2024" in html and "Feb. 5" not in html
    with translation.override("en"):
        assert formats.date_format(alice_joined.date_joined, "SHORT_DATE_FORMAT") == "05/02/2024"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def test_form_errors_are_translated(alice_client):
    data = {"first_name": "", "last_name": "Lefèvre", "manager": "nobody"}
    html = alice_client.post("/people/alice/edit/", data).content.decode()
    assert "Ce champ est obligatoire." in html
    assert "Aucun agent actif n’a l’identifiant «\u00a0nobody\u00a0»." in html
    choose_language(alice_client, "en")
    html = alice_client.post("/people/alice/edit/", data).content.decode()
    assert "This field is required." in html
    assert "No active agent has the login “nobody”." in html
