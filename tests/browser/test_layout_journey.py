"""Browser journeys: the header's account menu and phone menu, and the public site pages.

alice (an agent of Finance) opens the account menu with the keyboard and closes it with
Escape; at a phone's width the main menu folds behind a "Menu" button; without JavaScript
both stay usable. Someone who has not signed in reads the accessibility statement, the
legal notice and the personal-data page from the footer. axe checks every page reached.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def alice_account(transactional_db):
    return UserFactory(username="alice", first_name="Alice", last_name="Lefèvre")


def test_account_menu_opens_with_the_keyboard_and_escape_closes_it(
    alice_account, page, sign_in, axe_check
):
    sign_in(page, "alice", PASSWORD)
    summary = page.locator(".account-menu summary")
    sign_out = page.get_by_role("button", name="Se déconnecter")
    expect(sign_out).to_be_hidden()  # language, profile and sign-out wait in the menu
    summary.focus()
    page.keyboard.press("Enter")
    expect(sign_out).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    expect(page.get_by_role("link", name="Modifier mon profil")).to_be_visible()
    axe_check(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(sign_out).to_be_hidden()
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("main").click()  # a click elsewhere closes it too
    expect(sign_out).to_be_hidden()


def test_phone_header_folds_the_menu_behind_a_button(alice_account, new_page, sign_in, axe_check):
    page = new_page()
    page.set_viewport_size(PHONE)
    sign_in(page, "alice", PASSWORD)
    toggle = page.get_by_role("button", name="Menu")
    groups = page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Groupes"
    )
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(groups).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 0.2 * PHONE["height"], header  # it was 40 % of the screen
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(groups).to_be_visible()
    expect(page.get_by_role("combobox", name="Rechercher dans Transverse")).to_be_visible()
    axe_check(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(groups).to_be_hidden()
    expect(toggle).to_be_focused()
    toggle.click()
    groups.click()
    expect(page).to_have_url(re.compile(r"/groups/$"))


def test_without_javascript_the_menus_still_work(alice_account, browser, live_site, sign_in):
    context = browser.new_context(
        base_url=live_site.url, locale="fr-FR", java_script_enabled=False, viewport=PHONE
    )
    try:
        page = context.new_page()
        sign_in(page, "alice", PASSWORD)
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        expect(page.get_by_role("link", name="Groupes", exact=True)).to_be_visible()  # not folded
        page.locator(".account-menu summary").click()  # details opens by itself
        page.get_by_role("button", name="Se déconnecter").click()
        expect(page).to_have_url(re.compile(r"/accounts/login/"))
    finally:
        context.close()


def test_the_public_site_pages_are_reached_from_the_footer_without_signing_in(
    transactional_db, page, axe_check
):
    page.goto("/accounts/login/")
    footer = page.get_by_role("contentinfo")
    for slug, heading in [
        ("legal-notice", "Mentions légales"),
        ("personal-data", "Données personnelles"),
        ("accessibility", "Déclaration d’accessibilité"),
    ]:
        footer.locator(f'a[href="/about/{slug}/"]').click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        axe_check(page)
        for scheme in ("dark", "light"):
            page.emulate_media(color_scheme=scheme)
            axe_check(page)
        footer = page.get_by_role("contentinfo")
    expect(page.get_by_text("Défenseur des droits").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"/about/accessibility/$"))


def test_service_worker_keeps_only_the_shell_and_shows_it_offline(
    alice_account, new_page, sign_in, live_site
):
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_site.url}/"
    page.goto("/people/alice/")  # a page with an agent's data, and more static files
    page.wait_for_load_state("networkidle")
    cached = page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )
    assert f"{live_site.url}/offline/" in cached
    assert all(
        url.startswith(f"{live_site.url}/static/") or url == f"{live_site.url}/offline/"
        for url in cached
    ), cached
    page.context.set_offline(True)
    page.goto("/people/")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("connection|connexion"))
    page.context.set_offline(False)
