"""Browser journey: the person picker, by keyboard only. Alice writes to a colleague and
invites one to her group by typing part of a name, choosing with the arrow keys and Enter,
and submitting with Enter: no login typed. axe checks the open suggestion list."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, GroupFactory, UserFactory, make_department


@pytest.fixture
def people(transactional_db):
    finance = make_department("Direction des finances", acronym="DF")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    UserFactory(
        username="bmorel",
        first_name="Bernadette",
        last_name="Morel",
        title="Acheteuse",
        department=finance,
    )
    UserFactory(username="tmorel", first_name="Thomas", last_name="Morel", title="Juriste")
    UserFactory(username="gone", first_name="Gaston", last_name="Morel", is_active=False)
    return GroupFactory(created_by=alice, name="Club achats")


def suggestions(page, field):
    """The options of the list the field controls (not a select's options elsewhere)."""
    return page.locator(f"#{field.get_attribute('aria-controls')}").get_by_role("option")


def choose_second_morel(page, field):
    """Type part of a name, move down once, confirm: the second Morel (Thomas)."""
    field.focus()
    field.press_sequentially("morel")
    options = suggestions(page, field)
    expect(options).to_have_count(2)  # Gaston has left: never suggested
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_contain_text("Bernadette Morel")
    expect(options.first).to_contain_text("Acheteuse, Direction des finances (DF)")
    field.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(field).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    field.press("Enter")
    expect(field).to_have_attribute("aria-expanded", "false")


def test_direct_conversation_by_name_with_the_keyboard(people, page, sign_in, axe_check):
    sign_in(page, "alice", PASSWORD)
    page.goto("/chat/")
    field = page.get_by_role("combobox", name=re.compile("^Agent"))
    field.focus()
    field.press_sequentially("morel")
    expect(suggestions(page, field)).to_have_count(2)
    axe_check(page)  # with the list open
    field.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    field.fill("")
    choose_second_morel(page, field)
    expect(field).to_have_value("Thomas Morel (tmorel)")
    field.press("Enter")  # the list is closed: Enter submits the form
    expect(page).to_have_url(re.compile(r"/chat/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thomas Morel")


def test_group_invitation_by_name_with_the_keyboard(people, page, sign_in, axe_check):
    group = people
    sign_in(page, "alice", PASSWORD)
    page.goto(f"/groups/{group.slug}/members/")
    field = page.locator('input[name="logins"]')
    expect(field).to_have_attribute("role", "combobox")
    choose_second_morel(page, field)
    expect(field).to_have_value("Thomas Morel (tmorel), ")
    field.press_sequentially("bernad")
    expect(suggestions(page, field)).to_have_count(1)
    axe_check(page)
    field.press("Enter")
    expect(field).to_have_value("Thomas Morel (tmorel), Bernadette Morel (bmorel), ")
    field.press("Enter")
    expect(page.locator(".messages")).to_contain_text("2")


def test_message_button_opens_the_conversation(people, page, sign_in, axe_check):
    sign_in(page, "alice", PASSWORD)
    page.goto("/people/bmorel/")
    axe_check(page)
    button = page.locator("form[action='/chat/direct/'] button")
    button.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/chat/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bernadette Morel")
