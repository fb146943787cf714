"""Browser journeys of the foundation: sign-in, profile, directory, languages, keyboard.

Each journey runs in French (the default) against the live server, checks every page it
reaches with axe, and fails on any console error or CSP violation (see conftest.py).
"""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from intranet.skills.services import agent_skills_set
from tests.factories import PASSWORD, UserFactory, make_department

MAX_TABS = 60


@pytest.fixture
def org(transactional_db):
    """A small organisation.

    alice: agent of Finance (under the DGS), skill RGPD, local account;
    carol: agent of Human resources, skill "Marchés publics";
    denis: agent of Finance, alice's manager.
    """
    dgs = make_department("Direction générale des services", acronym="DGS")
    finance = make_department("Direction des finances", parent=dgs, acronym="DF")
    hr = make_department("Direction des ressources humaines", parent=dgs, acronym="DRH")
    denis = UserFactory(username="denis", first_name="Denis", last_name="Morel", department=finance)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance, manager=denis
    )
    carol = UserFactory(username="carol", first_name="Carol", last_name="N'Diaye", department=hr)
    agent_skills_set(alice, alice, labels=["RGPD"])
    agent_skills_set(carol, carol, labels=["Marchés publics"])
    return {"dgs": dgs, "finance": finance, "hr": hr, "alice": alice, "carol": carol}


def card_names(page):
    return page.locator("ul.cards .agent-card__name").all_inner_texts()


def tab_to(page, selector, *, shift=False):
    """Press Tab until the element matching selector has the focus; fail if it never does."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} cannot be reached with the Tab key")


def test_sign_in_shows_a_clear_error_then_signs_in(org, page, sign_in, axe_check):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    axe_check(page)

    sign_in(page, "alice", "not the password")
    expect(page.get_by_role("main").get_by_role("alert")).to_contain_text("Échec de la connexion")
    expect(page.get_by_label("Identifiant")).to_have_value("alice")
    axe_check(page)

    sign_in(page, "ALICE", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alice")
    axe_check(page)


def test_profile_edit_saves_fields_and_photo(org, page, sign_in, axe_check, tmp_path):
    photo = tmp_path / "portrait.png"
    Image.new("RGB", (120, 80), (30, 90, 160)).save(photo)
    sign_in(page, "alice", PASSWORD)

    page.locator(".account-menu summary").click()  # my profile is in the account menu
    page.locator('.account-menu a[href="/people/alice/"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alice Lefèvre")
    axe_check(page)
    page.get_by_role("link", name="Modifier mon profil").click()
    axe_check(page)

    page.get_by_label("Fonction").fill("Cheffe de projet budgétaire")
    page.get_by_label("Compétences").fill("RGPD, rgpd , Contrôle de gestion")
    page.get_by_label("Occitan").check()
    page.get_by_label("Nouvelle photo").set_input_files(photo)
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "Votre profil a été enregistré."
    )
    expect(page.locator(".profile__title")).to_have_text("Cheffe de projet budgétaire")
    expect(page.locator("#skills-heading + ul .tag")).to_have_text(["Contrôle de gestion", "RGPD"])
    expect(page.locator(".facts")).to_contain_text("Occitan")
    avatar = page.locator(".profile__header img.avatar")
    expect(avatar).to_be_visible()
    assert avatar.evaluate("(img) => img.complete && img.naturalWidth") == 400
    axe_check(page)


def test_profile_edit_refuses_a_file_that_is_not_an_image(org, page, sign_in, axe_check, tmp_path):
    fake = tmp_path / "photo.png"
    fake.write_text("This is a text file, not a picture.")
    sign_in(page, "alice", PASSWORD)
    page.goto("/people/alice/edit/")

    page.get_by_label("Nouvelle photo").set_input_files(fake)
    page.get_by_role("button", name="Enregistrer").click()

    summary = page.get_by_role("main").get_by_role("alert")
    expect(summary).to_contain_text("Ce fichier n’est pas une image lisible.")
    expect(summary).to_be_focused()
    expect(page.locator("#id_photo_error")).to_have_text("Ce fichier n’est pas une image lisible.")
    expect(page.get_by_label("Nouvelle photo")).to_have_attribute(
        "aria-describedby", re.compile("id_photo_error")
    )
    axe_check(page)
    summary.get_by_role("link", name="Nouvelle photo").click()
    expect(page.get_by_label("Nouvelle photo")).to_be_focused()


def test_directory_filters_by_department_skill_and_accent_free_name(org, page, sign_in, axe_check):
    sign_in(page, "alice", PASSWORD)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Annuaire"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annuaire des agents")
    expect(page.get_by_role("link", name="Annuaire", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    main = page.get_by_role("main")
    assert card_names(page) == ["Alice Lefèvre", "Denis Morel", "Carol N'Diaye"]
    axe_check(page)

    main.get_by_label("Service").select_option(str(org["hr"].pk))
    main.get_by_role("button", name="Rechercher").click()
    assert card_names(page) == ["Carol N'Diaye"]
    axe_check(page)

    main.get_by_role("link", name="Réinitialiser").click()
    main.get_by_label("Compétence", exact=True).fill("rgpd")
    main.get_by_role("button", name="Rechercher").click()
    assert card_names(page) == ["Alice Lefèvre"]

    main.get_by_role("link", name="Réinitialiser").click()
    main.get_by_label("Nom").fill("lefevre")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=lefevre"))
    assert card_names(page) == ["Alice Lefèvre"]
    expect(page.get_by_role("heading", name="1 agent trouvé")).to_be_visible()

    page.get_by_role("main").get_by_role("link", name="Alice Lefèvre").click()
    expect(page).to_have_url(re.compile(r"/people/alice/$"))


def test_language_switch_to_english_and_back(org, page, sign_in, axe_check):
    sign_in(page, "alice", PASSWORD)
    page.goto("/people/")

    page.locator(".account-menu summary").click()  # language is in the account menu
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/people/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("People directory")
    page.locator(".account-menu summary").click()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    axe_check(page)
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alice")

    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alice")


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(org, page, sign_in):
    sign_in(page, "alice", PASSWORD)
    page.goto("/people/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu principal")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    # The next stop is inside the main content, not back in the header.
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_focus_is_visible_on_links_buttons_and_fields(org, page, sign_in):
    sign_in(page, "alice", PASSWORD)
    page.goto("/people/")
    for selector in ("a.skip-link", ".account-menu summary", ".site-nav a", "#id_q"):
        tab_to(page, selector)
        outline = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert outline[0] != "none" and outline[1] >= 2, (selector, outline)


def test_profile_form_can_be_filled_and_submitted_with_the_keyboard(org, page, sign_in):
    sign_in(page, "alice", PASSWORD)
    page.goto("/people/alice/")

    tab_to(page, "a[href$='/people/alice/edit/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/edit/$"))
    tab_to(page, "#id_title")
    page.keyboard.press("Control+A")
    page.keyboard.type("Analyste financière")
    tab_to(page, "#id_department")
    page.keyboard.press("ArrowDown")  # native select: the next service in the list
    tab_to(page, "#id_skills")
    page.keyboard.type(", Analyse financière")
    tab_to(page, "input[name=languages][value=en]")
    page.keyboard.press("Space")
    tab_to(page, "form.stack button[type=submit]")
    page.keyboard.press("Enter")

    expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "Votre profil a été enregistré."
    )
    expect(page.locator(".profile__title")).to_have_text("Analyste financière")
    expect(page.locator("#skills-heading + ul")).to_contain_text("Analyse financière")
    expect(page.locator(".facts")).to_contain_text("Anglais")


def test_departments_tree_and_detail(org, page, sign_in, axe_check):
    sign_in(page, "alice", PASSWORD)
    page.get_by_role("link", name="Services", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organigramme")
    axe_check(page)

    page.get_by_role("link", name=re.compile("Direction des ressources humaines")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Direction des ressources humaines"
    )
    expect(page.locator("ul.cards")).to_contain_text("Carol N'Diaye")
    # The menu marks the section, not the page: the link leads to the chart, not here.
    expect(page.get_by_role("link", name="Services", exact=True)).to_have_attribute(
        "aria-current", "true"
    )
    axe_check(page)
    page.get_by_role("navigation", name="Rattachement").get_by_role(
        "link", name=re.compile("Direction générale des services")
    ).click()
    expect(page.get_by_role("heading", name="Services rattachés")).to_be_visible()
    axe_check(page)


def test_password_reset_by_e_mail_link(org, page, axe_check, mailoutbox):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Réinitialiser le mot de passe d’un compte local").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Réinitialiser le mot de passe d’un compte local"
    )
    axe_check(page)
    page.get_by_label("Courriel").fill("alice@exemple.gouv.fr")
    page.get_by_role("button", name="Envoyer le lien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultez votre messagerie")
    axe_check(page)

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/\S+", mailoutbox[0].body).group(0)
    assert "Bonjour" in mailoutbox[0].body
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisir un nouveau mot de passe")
    axe_check(page)
    page.get_by_label(re.compile("^Nouveau mot de passe")).fill("un nouveau secret solide")
    page.get_by_label("Confirmation du nouveau mot de passe").fill("un nouveau secret solide")
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Votre mot de passe a été modifié")
    axe_check(page)
