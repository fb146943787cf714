"""Browser journey of a group poll: Bob, animator of "Budget", publishes a poll through the
form; Alice, a member, votes with the keyboard only and sees the results drawn as SVG, with
their table for screen readers. axe checks every page. The page may be French or English
(the French catalogue of the new strings comes with the lead's merge): names are matched
in both."""

import re

import pytest
from playwright.sync_api import expect

from intranet.groups import services as group_services
from intranet.groups.models import Membership
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def people(transactional_db):
    finance = make_department("Direction des finances")
    staff = UserFactory(username="siteadmin", is_staff=True, is_superuser=True)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Morel", department=finance)
    group = group_services.group_create(staff, name="Budget", policy="closed")
    Membership.objects.create(group=group, agent=alice)
    Membership.objects.create(group=group, agent=bob)
    group_services.group_member_role_set(staff, group, bob, role="animator")
    group_services.group_tools_set(staff, group, keys=["polls"])
    return group


def test_animator_publishes_member_votes_by_keyboard(people, new_page, sign_in, axe_check):
    bob_page, alice_page = new_page(), new_page()
    sign_in(bob_page, "bob", PASSWORD)
    bob_page.goto(f"/groups/{people.slug}/")
    bob_page.get_by_role("link", name=re.compile("^(Polls|Sondages)$")).click()
    axe_check(bob_page)
    bob_page.get_by_label(re.compile("^(Question|Question)")).fill("Quel jour pour l’atelier ?")
    bob_page.get_by_label(re.compile("(Choices|Choix)")).fill("Lundi\nMardi\nJeudi")
    bob_page.get_by_label(re.compile("(Closes on|Clôture)")).fill("2099-06-01T10:00")
    bob_page.get_by_role("button", name=re.compile("(Publish the poll|Publier le sondage)")).click()
    expect(
        bob_page.get_by_role("heading", level=2, name="Quel jour pour l’atelier ?")
    ).to_be_visible()
    axe_check(bob_page)

    sign_in(alice_page, "alice", PASSWORD)
    alice_page.goto(bob_page.url)
    expect(alice_page.locator("svg.poll-chart")).to_have_count(0)
    axe_check(alice_page)
    first = alice_page.locator("input[name=choice]").first
    first.focus()
    alice_page.keyboard.press("ArrowDown")  # radio group: moves to and checks "Mardi"
    expect(alice_page.get_by_label("Mardi")).to_be_checked()
    alice_page.keyboard.press("Tab")
    alice_page.keyboard.press("Enter")
    expect(alice_page.locator("svg.poll-chart")).to_be_visible()
    expect(alice_page.locator(".poll-results table")).to_contain_text("Mardi")
    expect(alice_page.locator(".poll-results table")).to_contain_text("1 (100\u00a0%)")
    expect(alice_page.locator("input[name=choice]")).to_have_count(0)
    axe_check(alice_page)
