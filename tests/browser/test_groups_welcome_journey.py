"""Browser journeys of a first visit, a group's tabs and a department's page, in French,
with axe on every page and no sideways scroll at a phone's width (390 px).

A newcomer signs in for the first time: the welcome opens; they join a suggested group
from its card and come back to the welcome; their home then opens directly. On the
group's page they move through the tabs by keyboard (the current one is marked). The
department's page shows its group, its people and their recent public activity.
"""

import re

import pytest
from playwright.sync_api import expect

from intranet.groups import services as groups
from intranet.stream.services import posts, reactions
from intranet.topics.models import Topic
from intranet.topics.services import topic_follow
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def network(transactional_db):
    finance = make_department("Direction des finances", acronym="DF")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    UserFactory(
        username="nina", first_name="Nina", last_name="Morel", department=finance, welcomed_at=None
    )
    group = groups.group_create(
        alice,
        name="Communauté numérique responsable",
        description="Partager les bonnes pratiques d’un **numérique sobre et accessible**.",
        policy="open",
    )
    groups.department_groups_sync([finance.pk])
    post = posts.post_create(
        alice, body="Atelier accessibilité jeudi #accessibilité", visibility="organisation"
    )
    reactions.reaction_toggle(alice, kind="like", post_id=post.pk)
    topic_follow(alice, Topic.objects.get(key="accessibilite"))
    return finance, group


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_first_visit_group_tabs_and_department_page(network, page, sign_in, axe_check):
    finance, group = network
    sign_in(page, "nina", PASSWORD)
    expect(page).to_have_url(re.compile("/welcome/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nina")
    axe_check(page)

    card = page.locator(".group-card", has_text="Communauté numérique responsable")
    card.get_by_role("button", name=re.compile("Communauté numérique responsable")).click()
    expect(page).to_have_url(re.compile("/welcome/$"))
    expect(page.get_by_role("status").first).to_be_visible()
    page.get_by_role("link", name=re.compile("fil|feed", re.I)).last.click()
    expect(page).to_have_url(re.compile("/$"))
    page.goto("/")
    expect(page).to_have_url(re.compile("/$"))  # the welcome is shown once
    expect(page.locator("article.post").first).to_be_visible()  # never an empty home
    axe_check(page)

    page.goto(f"/groups/{group.slug}/")
    tabs = page.get_by_role("navigation", name=re.compile("Communauté numérique"))
    links = tabs.get_by_role("link")
    expect(links).to_have_count(5)  # Fil, Discussion, Membres, Documents, À propos
    expect(links.first).to_have_attribute("aria-current", "page")
    links.first.focus()
    page.keyboard.press("Tab")  # Discussion
    page.keyboard.press("Tab")  # Membres
    expect(links.nth(2)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/groups/{group.slug}/members/$"))
    expect(links.nth(2)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("cell", name="Nina Morel")).to_be_visible()
    axe_check(page)
    links.last.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/groups/{group.slug}/about/$"))
    expect(page.locator(".group-about strong")).to_have_text("numérique sobre et accessible")
    axe_check(page)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (f"/groups/{group.slug}/", f"/groups/{group.slug}/members/", "/groups/"):
        page.goto(url)
        assert no_sideways_scroll(page), url
    axe_check(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/departments/{finance.pk}/")
    expect(page.locator(".department-group")).to_contain_text(finance.group.name)
    expect(page.get_by_text("Atelier accessibilité jeudi")).to_be_visible()
    axe_check(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert no_sideways_scroll(page)
