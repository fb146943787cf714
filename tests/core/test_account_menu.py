"""The header: language, profile, settings and sign-out live in the account menu (a
disclosure that works without JavaScript); the phone menu button is off until
transverse.js turns it on. Roles: `alice` (an agent); the others are anonymous."""

import re

from django.test import Client


def header_of(client, url="/people/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().split("</header>")[0]


def test_the_account_menu_holds_profile_settings_language_and_sign_out(alice):
    client = Client()
    client.force_login(alice)
    header = header_of(client)
    menu = header.split('<details class="account-menu"', 1)[1].split("</details>")[0]
    assert 'href="/people/alice/"' in menu and 'href="/people/alice/edit/"' in menu
    assert 'href="/notifications/settings/"' in menu
    assert 'name="language" value="en"' in menu and 'action="/accounts/logout/"' in menu
    outside = header.replace(menu, "")
    assert 'name="language"' not in outside and "/accounts/logout/" not in outside


def test_the_phone_menu_button_waits_for_javascript(alice):
    client = Client()
    client.force_login(alice)
    header = header_of(client)
    toggle = re.search(r"<button[^>]*data-menu-toggle[^>]*>", header).group(0)
    assert " hidden" in toggle and 'aria-controls="site-menu"' in toggle
    assert 'id="site-menu"' in header


def test_someone_not_signed_in_gets_the_language_switch_but_no_account_menu(db):
    header = header_of(Client(), "/accounts/login/")
    assert 'name="language" value="en"' in header
    assert "account-menu" not in header and "data-menu-toggle" not in header
