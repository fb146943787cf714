"""Browser journey: the language an agent chooses follows them to another browser.

alice switches to English with the keyboard, signs out, and signs in from a fresh browser
(French by default): the site opens in English. Every page reached is checked with axe.
"""

import re

from playwright.sync_api import expect

from intranet.accounts.models import User
from tests.factories import PASSWORD, UserFactory


def test_chosen_language_follows_the_agent_to_a_new_browser(
    transactional_db, new_page, sign_in, axe_check
):
    UserFactory(username="alice", first_name="Alice", last_name="Lefèvre")
    page = new_page()
    sign_in(page, "alice", PASSWORD)
    page.goto("/people/")
    account = page.locator(".account-menu summary")  # the account menu, by keyboard
    account.focus()
    page.keyboard.press("Enter")
    english = page.get_by_role("button", name="English")
    english.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/people/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert User.objects.get(username="alice").language == "en"
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()

    elsewhere = new_page()  # another browser: no cookie, French by default
    elsewhere.goto("/accounts/login/")
    expect(elsewhere.locator("html")).to_have_attribute("lang", "fr")
    sign_in(elsewhere, "alice", PASSWORD)
    expect(elsewhere.locator("html")).to_have_attribute("lang", "en")
    expect(elsewhere.get_by_role("heading", level=1)).to_have_text("Hello, Alice")
    elsewhere.locator(".account-menu summary").click()
    expect(elsewhere.get_by_role("button", name="English")).to_have_attribute(
        "aria-pressed", "true"
    )
    axe_check(elsewhere)
