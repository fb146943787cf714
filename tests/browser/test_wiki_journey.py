"""Browser journey of a training space's wiki, with axe on every page and no sideways
scroll at a phone's width (390 px): alice creates a "space for training and change", finds
its welcome page in the Wiki tab, writes a page linking to it; bob and alice edit the same
page at once: bob's save wins, alice gets the conflict with her text kept, then saves;
the history's side-by-side diff (a focusable region) and a restore.

The new strings may still be untranslated when this runs: names match French or English.
"""

import re

import pytest
from playwright.sync_api import expect

from intranet.groups.models import Group, Membership
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def agents(transactional_db):
    finance = make_department("Direction des finances", acronym="DF")
    UserFactory(username="alice", first_name="Alice", last_name="Lefèvre", department=finance)
    UserFactory(username="bob", first_name="Bob", last_name="Martin", department=finance)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def edit(page, text):
    page.get_by_label(re.compile("^(Texte|Text)")).fill(text)
    page.get_by_role("button", name=re.compile("Enregistrer la page|Save the page")).click()


def test_training_space_wiki_edit_conflict_diff_restore(agents, new_page, sign_in, axe_check):
    alice = new_page()
    sign_in(alice, "alice", PASSWORD)
    alice.goto("/groups/new/")
    alice.locator("#id_name").fill("Déploiement du nouvel outil")  # "Nom (obligatoire)"
    alice.get_by_label(re.compile("Ouvert|Open", re.I)).first.check()
    alice.get_by_label(re.compile("formation|training", re.I)).check()
    alice.get_by_role("button", name=re.compile("Créer le groupe|Create the group")).click()
    group = Group.objects.get(name="Déploiement du nouvel outil")
    Membership.objects.create(
        group=group, agent_id=UserFactory._meta.model.objects.get(username="bob").pk
    )

    alice.get_by_role("link", name="Wiki").click()
    expect(alice).to_have_url(re.compile(f"/groups/{group.slug}/wiki/$"))
    expect(alice.get_by_role("link", name="Wiki")).to_have_attribute("aria-current", "page")
    axe_check(alice)
    alice.get_by_role("link", name=re.compile("Nouvelle page|New page")).click()
    alice.get_by_label(re.compile("^(Titre|Title)")).fill("Plan de formation")
    alice.get_by_label(re.compile("^(Texte|Text)")).fill("Commencer par [[Bienvenue]].\n\nÉtape 1")
    axe_check(alice)
    alice.get_by_role("button", name=re.compile("Créer la page|Create the page")).click()
    expect(alice.get_by_role("heading", name="Plan de formation")).to_be_visible()
    expect(alice.get_by_role("link", name="Bienvenue")).to_be_visible()
    axe_check(alice)

    bob = new_page()
    sign_in(bob, "bob", PASSWORD)
    url = f"/groups/{group.slug}/wiki/plan-de-formation/edit/"
    bob.goto(url)
    alice.goto(url)
    edit(bob, "Commencer par [[Bienvenue]].\n\nÉtape 1 selon Bob")
    expect(bob.get_by_role("heading", name="Plan de formation")).to_be_visible()
    edit(alice, "Commencer par [[Bienvenue]].\n\nÉtape 1 selon Alice")
    expect(alice.get_by_role("heading", name=re.compile("modifiée|changed"))).to_be_visible()
    expect(alice.get_by_label(re.compile("^(Texte|Text)"))).to_have_value(re.compile("selon Alice"))
    expect(alice.locator(".wiki-diff")).to_contain_text("selon Bob")
    axe_check(alice)
    alice.get_by_role("button", name=re.compile("Enregistrer la page|Save the page")).click()
    expect(alice.locator(".wiki-page__body")).to_contain_text("selon Alice")

    alice.set_viewport_size({"width": 390, "height": 800})
    alice.get_by_role("link", name=re.compile("Historique|History")).click()
    axe_check(alice)
    alice.get_by_role("link", name=re.compile("(Modifications de la|Changes of) version 3")).click()
    region = alice.locator(".wiki-diff[role=region]")
    expect(region).to_be_visible()
    region.focus()
    expect(region).to_be_focused()
    assert no_sideways_scroll(alice)
    axe_check(alice)
    alice.get_by_role("button", name=re.compile("(Restaurer la|Restore) version 2")).click()
    expect(alice.locator(".wiki-page__body")).to_contain_text("selon Bob")
    assert no_sideways_scroll(alice)
    axe_check(alice)
