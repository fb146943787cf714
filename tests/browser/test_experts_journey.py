"""Browser journey of experts: declare a skill with a level, get endorsed by a colleague,
appear in the expert finder under a synonym. In French, axe on every page reached.

The helpers (declare_skill, endorse, find_experts) are shared with the questions journey.
"""

import re

import pytest
from playwright.sync_api import expect

from intranet.experts.services import theme_create
from intranet.skills.services import curation, skill_claim_add
from intranet.topics.services import topics_get_or_create
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def experts_org(transactional_db):
    """alice (Finance) and carol (HR); staff curated RGPD with the synonym GDPR, and a theme."""
    dgs = make_department("Direction générale des services", acronym="DGS")
    finance = make_department("Direction des finances", parent=dgs, acronym="DF")
    hr = make_department("Direction des ressources humaines", parent=dgs, acronym="DRH")
    staff = UserFactory(username="siteadmin", is_staff=True, is_superuser=True)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    carol = UserFactory(username="carol", first_name="Carol", last_name="N'Diaye", department=hr)
    rgpd = curation.skill_create(staff, label="RGPD", synonyms=["GDPR"])
    theme = theme_create(staff, name="RGPD", skills=[rgpd], topics=topics_get_or_create(["rgpd"]))
    return {
        "staff": staff,
        "alice": alice,
        "carol": carol,
        "rgpd": rgpd,
        "theme": theme,
        "finance": finance,
        "hr": hr,
    }


def declare_skill(page, username, label, level, *, accepts_requests=True, axe_check=None):
    """On username's "my skills" page, add label at level (its French name)."""
    page.goto(f"/people/{username}/skills/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes compétences")
    if axe_check:
        axe_check(page)
    form = page.locator("form").filter(has=page.get_by_role("button", name="Ajouter"))
    form.get_by_label("Compétence").fill(label)
    form.get_by_label("Niveau").select_option(label=level)
    if accepts_requests:
        form.get_by_label("Je veux bien être sollicité·e sur ce sujet").check()
    form.get_by_role("button", name="Ajouter").click()
    expect(page.locator(".messages")).to_contain_text("figure sur votre profil")


def endorse(page, username, skill_label):
    """From username's profile, endorse their skill_label; returns the profile page."""
    page.goto(f"/people/{username}/")
    button = page.get_by_role("button", name=f"Recommander pour {skill_label}")
    button.click()
    expect(
        page.get_by_role("button", name=f"Retirer ma recommandation pour {skill_label}")
    ).to_have_attribute("aria-pressed", "true")


def find_experts(page, query):
    """Search the expert finder; returns the results list locator."""
    page.goto("/experts/")
    finder = page.get_by_role("search", name="Rechercher des experts")
    finder.get_by_label("Compétence ou thème").fill(query)
    page.get_by_role("search", name="Rechercher des experts").get_by_role(
        "button", name="Rechercher"
    ).click()
    expect(page).to_have_url(re.compile(r"/experts/\?"))
    return page.locator("ol.expert-results")


def test_declare_get_endorsed_and_appear_in_the_finder(experts_org, new_page, sign_in, axe_check):
    alice_page = new_page()
    sign_in(alice_page, "alice", PASSWORD)
    declare_skill(alice_page, "alice", "gdpr", "expert", axe_check=axe_check)
    card = alice_page.locator(".card").filter(has_text="RGPD")
    expect(card.get_by_label("Niveau")).to_have_value("3")
    axe_check(alice_page)

    carol_page = new_page()
    sign_in(carol_page, "carol", PASSWORD)
    endorse(carol_page, "alice", "RGPD")
    expect(carol_page.locator(".skill-claim")).to_contain_text("1 recommandation")
    axe_check(carol_page)

    results = find_experts(carol_page, "GDPR")
    expect(carol_page.get_by_role("heading", name=re.compile("1 expert sur"))).to_be_visible()
    expect(results).to_contain_text("Alice Lefèvre")
    expect(results).to_contain_text("expert déclaré·e, 1 recommandation")
    axe_check(carol_page)

    # Alice was told, and her profile shows the endorsement.
    alice_page.goto("/notifications/")
    expect(alice_page.get_by_role("main")).to_contain_text("RGPD")
    axe_check(alice_page)


@pytest.fixture
def finder_org(experts_org):
    """The demo's spellings: alice declares "Accessibilité numérique" (RGAA, a11y; the
    "Numérique" theme) as an expert, carol "Marchés publics" (Commande publique)."""
    staff, alice, carol = experts_org["staff"], experts_org["alice"], experts_org["carol"]
    a11y = curation.skill_create(staff, label="Accessibilité numérique", synonyms=["RGAA", "a11y"])
    curation.skill_create(staff, label="Marchés publics", synonyms=["Commande publique"])
    skill_claim_add(alice, alice, label="a11y", level=3, accepts_requests=True)
    skill_claim_add(carol, carol, label="Marchés publics", level=2)
    theme_create(staff, name="Numérique", skills=[a11y], topics=topics_get_or_create(["numerique"]))
    return experts_org


def test_the_finder_understands_words_and_suggests_the_nearest(
    finder_org, page, sign_in, axe_check
):
    sign_in(page, "carol", PASSWORD)
    results = find_experts(page, "accessibilité")
    expect(
        page.get_by_role("heading", name="1 expert sur « Accessibilité numérique »")
    ).to_be_visible()
    expect(results).to_contain_text("Alice Lefèvre")
    ask = page.get_by_role("link", name="Poser la question aux ambassadeurs du thème « Numérique »")
    expect(ask).to_be_visible()
    axe_check(page)

    results = find_experts(page, "marches")
    expect(results).to_contain_text("Carol N'Diaye")
    expect(page.get_by_role("main")).to_contain_text("Marchés publics")

    find_experts(page, "acessibilite")
    status = page.get_by_role("status").filter(has_text="Vouliez-vous dire")
    expect(status).to_contain_text("Aucune compétence")
    axe_check(page)
    status.get_by_role("link", name="Accessibilité numérique").click()
    expect(page.locator("ol.expert-results")).to_contain_text("Alice Lefèvre")

    find_experts(page, "acessibilite")
    page.get_by_role(
        "link", name="Poser la question aux ambassadeurs du thème « Numérique »"
    ).click()
    expect(page).to_have_url(re.compile(r"/questions/ask/\?theme=numerique$"))
    expect(page.locator("select[name=theme] option:checked")).to_have_text("Numérique")
    axe_check(page)
