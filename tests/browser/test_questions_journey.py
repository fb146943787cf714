"""Browser journey of "ask an expert", in French, with two agents in two contexts.

Alice (Finance) asks a question on the RGPD theme; Bob, RGPD ambassador of Finance (set up
through the experts services, with his consent), finds it in his notifications and
answers; Alice accepts the answer; it shows in the theme's FAQ. axe checks every page.
"""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intranet.experts import services as expert_services
from intranet.skills.services import curation
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def people(transactional_db):
    finance = make_department("Direction des finances")
    staff = UserFactory(username="siteadmin", is_staff=True, is_superuser=True)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Morel", department=finance)
    skill = curation.skill_create(staff, label="RGPD")
    theme = expert_services.theme_create(staff, name="RGPD", skills=[skill])
    invitation = expert_services.ambassador_invite(
        staff,
        theme=theme,
        department=finance,
        agent=bob,
        starts_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    expert_services.ambassador_respond(bob, invitation.pk, accept=True)
    return alice, bob, theme


def test_ask_answer_accept_and_faq(people, new_page, sign_in, axe_check):
    alice_page, bob_page = new_page(), new_page()
    sign_in(alice_page, "alice", PASSWORD)
    sign_in(bob_page, "bob", PASSWORD)

    alice_page.get_by_role("link", name="Questions", exact=True).click()
    expect(alice_page.get_by_role("heading", level=1)).to_have_text("Questions aux experts")
    axe_check(alice_page)
    alice_page.get_by_role("link", name="Poser une question").click()
    alice_page.get_by_label("Thématique").select_option(label="RGPD")
    alice_page.get_by_label("Votre question").fill("Combien de temps garder les CV ?")
    alice_page.get_by_label("Précisions").fill("Pour un **recrutement** en cours.")
    axe_check(alice_page)
    alice_page.get_by_role("button", name="Envoyer ma question").click()
    expect(alice_page.get_by_role("heading", level=1)).to_have_text(
        "Combien de temps garder les CV ?"
    )
    expect(alice_page.locator(".prose strong")).to_have_text("recrutement")
    axe_check(alice_page)

    bob_page.goto("/notifications/")
    notification = bob_page.get_by_role("link", name=re.compile("pose une question"))
    expect(notification).to_contain_text("Combien de temps garder les CV ?")
    axe_check(bob_page)
    notification.click()
    bob_page.get_by_label("Votre réponse").fill("Deux ans au plus, selon la CNIL.")
    bob_page.get_by_role("button", name="Publier ma réponse").click()
    expect(bob_page.locator(".answer")).to_contain_text("Deux ans au plus")
    axe_check(bob_page)

    alice_page.reload()
    alice_page.get_by_role("button", name="Accepter cette réponse").click()
    expect(alice_page.locator(".answer--accepted")).to_contain_text("réponse acceptée")
    axe_check(alice_page)

    alice_page.goto("/questions/themes/rgpd/faq/")
    faq = alice_page.locator(".faq")
    expect(faq).to_contain_text("Combien de temps garder les CV ?")
    expect(faq).to_contain_text("Deux ans au plus")
    axe_check(alice_page)
