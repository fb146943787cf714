"""Browser journey: @mention suggestions in the composer, with the keyboard only."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def people(transactional_db):
    UserFactory(username="alice", first_name="Alice", last_name="Lefèvre")
    UserFactory(username="bernadette", first_name="Bernadette", last_name="Morel")


def test_mention_is_suggested_and_inserted_with_the_keyboard(people, page, sign_in, axe_check):
    sign_in(page, "alice", PASSWORD)
    box = page.get_by_label("Votre message")
    box.click()
    box.press_sequentially("Merci @bern")
    option = page.get_by_role("option", name="Bernadette Morel (@bernadette)")
    expect(option).to_be_visible()
    axe_check(page)
    box.press("Enter")
    expect(box).to_have_value("Merci @bernadette ")
    page.get_by_role("button", name="Publier").click()
    expect(
        page.locator("article.post").first.get_by_role("link", name="@bernadette")
    ).to_be_visible()
