"""Browser journey of a learning path: Bob, animator of "Budget", builds a path from the
group's wiki page, session and poll plus a link on the site, moves a step up with the
keyboard only, and gathers a cohort with the person picker; Alice, a member, ticks a step;
Bob sees her progress in the table and the chart. axe checks every page. The page may be
French or English (the French catalogue of the new strings comes with the lead's merge):
names are matched in both."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intranet.events import services as event_services
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from intranet.polls import services as poll_services
from intranet.wiki import services as wiki_services
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def budget(transactional_db):
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
    group_services.group_tools_set(staff, group, keys=["paths", "wiki", "events", "polls"])
    wiki_services.page_create(bob, group, title="Charte d’accueil", body="Nos engagements.")
    event_services.event_create(
        bob,
        group,
        title="Atelier accueil",
        starts_at=timezone.now() + datetime.timedelta(days=5),
        duration_minutes=60,
    )
    poll_services.poll_create(
        bob,
        group,
        question="Quel format ?",
        choices=["Court", "Long"],
        closes_at=timezone.now() + datetime.timedelta(days=9),
    )
    return group


def add_step(page, option: str):
    page.get_by_label(re.compile("(Content of the group|Contenu du groupe)")).select_option(
        label=option
    )
    page.get_by_role("button", name=re.compile("^(Add the step|Ajouter l’étape)$")).click()


def test_animator_builds_path_member_ticks_animator_sees(
    budget, new_page, sign_in, axe_check, live_site
):
    bob_page, alice_page = new_page(), new_page()
    sign_in(bob_page, "bob", PASSWORD)
    bob_page.goto(f"/groups/{budget.slug}/")
    bob_page.get_by_role("link", name=re.compile("^(Learning paths|Parcours)$")).click()
    axe_check(bob_page)
    bob_page.get_by_label(re.compile("^(Title|Titre)")).fill("Accueil du public")
    bob_page.get_by_role("button", name=re.compile("(Create the path|Créer le parcours)")).click()
    expect(bob_page.get_by_role("heading", level=2, name="Accueil du public")).to_be_visible()
    axe_check(bob_page)

    for option in ("Charte d’accueil", "Atelier accueil", "Quel format ?"):
        add_step(bob_page, option)
    bob_page.get_by_label(re.compile("(Or a link|Ou un lien)")).fill(
        re.match(r"https?://[^/]+", bob_page.url).group(0) + "/about/legal-notice/"
    )
    bob_page.get_by_label(re.compile("(Link label|Libellé du lien)")).fill("Mentions légales")
    bob_page.get_by_role("button", name=re.compile("^(Add the step|Ajouter l’étape)$")).click()
    expect(bob_page.locator("ol.path-steps > li")).to_have_count(4)
    expect(bob_page.locator("ol.path-steps > li > a")).to_have_text(
        ["Charte d’accueil", "Atelier accueil", "Quel format ?", "Mentions légales"]
    )

    # Keyboard only: focus the third step's "Move up" and press Enter.
    bob_page.locator("ol.path-steps > li").nth(2).get_by_role(
        "button", name=re.compile("^(Move up|Monter)")
    ).focus()
    bob_page.keyboard.press("Enter")
    expect(bob_page.locator("ol.path-steps > li > a")).to_have_text(
        ["Charte d’accueil", "Quel format ?", "Atelier accueil", "Mentions légales"]
    )
    axe_check(bob_page)

    bob_page.get_by_role("link", name=re.compile("^(Cohorts|Cohortes)$")).click()
    bob_page.get_by_label(re.compile("^(Name|Nom)")).fill("Vague de janvier")
    bob_page.get_by_label(re.compile("(Start date|Date de début)")).fill("2027-01-04")
    bob_page.get_by_label(re.compile("^(Members|Membres)")).fill("alice")
    bob_page.get_by_role("button", name=re.compile("(Create the cohort|Créer la cohorte)")).click()
    expect(bob_page.locator(".path-cohorts")).to_contain_text("Vague de janvier")
    expect(bob_page.locator(".path-cohorts")).to_contain_text("Alice Lefèvre")
    axe_check(bob_page)
    path_url = bob_page.url.rsplit("/cohorts/", 1)[0] + "/"

    sign_in(alice_page, "alice", PASSWORD)
    alice_page.goto(path_url)
    axe_check(alice_page)
    alice_page.locator("ol.path-steps > li").first.get_by_role(
        "button", name=re.compile("^(Mark as done|Marquer comme faite)")
    ).click()
    expect(alice_page.locator("#path-progress-summary")).to_contain_text(re.compile("1"))
    expect(alice_page.locator("ol.path-steps > li").first).to_have_class(re.compile("done"))
    axe_check(alice_page)
    alice_page.goto("/people/alice/")
    expect(alice_page.locator(".profile-paths")).to_contain_text("Accueil du public")
    axe_check(alice_page)

    bob_page.goto(path_url + "progress/")
    expect(bob_page.locator("#members-table")).to_contain_text("Alice Lefèvre")
    expect(bob_page.locator("#members-table tr", has_text="Alice Lefèvre")).to_contain_text("25")
    expect(bob_page.locator("#cohorts-table")).to_contain_text("Vague de janvier")
    expect(bob_page.locator("svg.poll-chart").first).to_be_visible()
    axe_check(bob_page)
