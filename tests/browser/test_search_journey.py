"""Browser journey: search from the header (with search-as-you-type), facets, a result."""

import re

import pytest
from playwright.sync_api import expect

from intranet.groups.services import group_create
from intranet.search.indexer import drain
from intranet.skills.services import agent_skills_set
from intranet.stream.services.posts import post_create
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def org(transactional_db, settings, tmp_path):
    """alice: agent of Finance with the skill "Budget"; an open group and a post mention it."""
    settings.TRANSVERSE_SEARCH_INDEX_DIR = tmp_path / "index"
    finance = make_department("Direction des finances", acronym="DF")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Budgétaire")
    agent_skills_set(alice, alice, labels=["Budget"])
    group_create(alice, name="Cercle budgétaire", description="Le budget", policy="open")
    post_create(bob, body="Réunion budgétaire jeudi", visibility="organisation")
    drain(lock_timeout=10)
    return {"alice": alice}


def test_search_from_header_facets_and_open_a_result(org, page, sign_in, axe_check):
    sign_in(page, "alice", PASSWORD)
    box = page.get_by_role("combobox", name="Rechercher dans Transverse")
    box.fill("budg")
    listbox = page.locator("#header-search-listbox")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(2)
    expect(box).to_have_attribute("aria-expanded", "true")
    axe_check(page)
    box.press("Escape")
    expect(listbox).to_be_hidden()

    box.fill("budgétaire")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(".search-hit")).to_have_count(3)
    expect(page.locator(".search-hit mark").first).to_be_visible()
    axe_check(page)

    page.locator(".search-facet").first.get_by_role("link").first.click()
    expect(page.locator(".search-hit")).to_have_count(1)
    expect(page.locator(".search-facet [aria-current='true']")).to_have_count(1)
    axe_check(page)

    page.goto("/search/?q=budget")
    page.locator(".search-hit__title a", has_text="Alice Lefèvre").click()
    expect(page).to_have_url(re.compile(r"/people/alice/$"))


def test_suggestions_are_keyboard_usable(org, page, sign_in):
    sign_in(page, "alice", PASSWORD)
    box = page.get_by_role("combobox", name="Rechercher dans Transverse")
    box.fill("cercle")
    options = page.locator("#header-search-listbox").get_by_role("option")
    expect(options).to_have_count(1)
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "header-search-option-0")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/groups/cercle-budgetaire-[a-z0-9]{6}/$"))


def test_results_read_as_plain_text_with_marked_words(org, page, sign_in, axe_check):
    """A Markdown post and an agent found by a synonym: no markup, no synonym, words marked."""
    from intranet.skills.services import curation

    alice = org["alice"]
    staff = UserFactory(username="siteadmin", is_staff=True, is_superuser=True)
    curation.skill_create(staff, label="Accessibilité numérique", synonyms=["RGAA", "a11y"])
    agent_skills_set(alice, alice, labels=["Budget", "a11y"])
    post_create(
        alice,
        body="## Formation **accessibilité** numérique\n\n<script>alert(1)</script> *jeudi*",
        visibility="organisation",
    )
    drain(lock_timeout=10)
    sign_in(page, "alice", PASSWORD)
    page.goto("/search/?q=accessibilit%C3%A9")
    hits = page.locator(".search-hit")
    expect(hits).to_have_count(2)
    post = hits.filter(has=page.locator(".badge", has_text="Publication"))
    expect(post.locator(".search-hit__title")).to_have_text(
        "Formation accessibilité numérique <script>alert(1)</script> jeudi"
    )
    expect(post.locator(".search-hit__title mark")).to_have_text("accessibilité")
    expect(post.locator(".search-hit__snippet mark")).to_have_text("accessibilité")
    agent = hits.filter(has=page.locator(".search-hit__title", has_text="Alice Lefèvre"))
    expect(agent.locator(".search-hit__snippet")).to_have_text(
        "Compétences : Accessibilité numérique, Budget"
    )
    expect(page.locator("main")).not_to_contain_text("a11y")
    expect(page.locator("main")).not_to_contain_text("**")
    axe_check(page)
