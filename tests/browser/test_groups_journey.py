"""Browser journey of groups and the stream, in French, with two agents in two contexts.

Alice creates a closed group; Bob asks to join; Alice approves; Alice posts with a
mention of Bob and a topic; Bob comments and reacts; Bob sees the mention in his
notifications; Bob reports a comment; Alice (owner, so moderator) hides it.
axe checks the group, feed, topic, notification and moderation pages.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def people(transactional_db):
    finance = make_department("Direction des finances")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Morel", department=finance)
    return alice, bob


def test_closed_group_journey(people, new_page, sign_in, axe_check):
    alice_page, bob_page = new_page(), new_page()
    sign_in(alice_page, "alice", PASSWORD)
    sign_in(bob_page, "bob", PASSWORD)

    alice_page.goto("/groups/new/")
    alice_page.get_by_role("textbox", name=re.compile("^Nom")).fill("Club des marchés publics")
    alice_page.get_by_label("fermé").check()
    alice_page.get_by_role("button", name="Créer le groupe").click()
    expect(alice_page.get_by_role("heading", level=1)).to_contain_text("Club des marchés publics")
    axe_check(alice_page)
    group_url = alice_page.url

    bob_page.goto(group_url)
    expect(bob_page.get_by_text("visible que par ses membres")).to_be_visible()
    bob_page.get_by_role("button", name="Demander à rejoindre le groupe").click()
    expect(bob_page.get_by_role("status").first).to_be_visible()

    alice_page.goto(group_url + "members/")
    alice_page.get_by_role("button", name="Accepter").click()
    expect(alice_page.get_by_role("cell", name="Bob Morel")).to_be_visible()

    alice_page.goto(group_url)
    alice_page.get_by_label("Votre message").fill(
        "Bienvenue @bob ! Point sur la #commande-publique."
    )
    alice_page.get_by_role("button", name="Publier").click()
    post = alice_page.locator("article.post").first
    expect(post).to_contain_text("Bienvenue")
    expect(post.get_by_role("link", name="@bob")).to_be_visible()

    bob_page.goto("/notifications/")
    expect(bob_page.get_by_role("link", name=re.compile("vous a mentionné"))).to_be_visible()
    axe_check(bob_page)
    bob_page.get_by_role("link", name=re.compile("vous a mentionné")).click()
    expect(bob_page).to_have_url(re.compile(r"/posts/\d+/$"))
    post_url = bob_page.url
    bob_page.get_by_label("Votre commentaire").fill("Merci, je regarde ça.")
    bob_page.get_by_role("button", name="Commenter").click()
    expect(bob_page.locator(".comment")).to_contain_text("Merci, je regarde ça.")
    bob_page.locator("article.post").get_by_role("button", name="J’aime").click()
    expect(bob_page.locator("article.post .reaction--mine")).to_have_count(1)
    axe_check(bob_page)

    bob_page.goto("/topics/commande-publique/")
    expect(bob_page.locator("article.post")).to_contain_text("Bienvenue")
    axe_check(bob_page)
    bob_page.goto("/")
    expect(bob_page.locator("article.post").first).to_contain_text("Bienvenue")
    axe_check(bob_page)

    bob_page.goto(post_url)
    bob_page.locator(".comment").get_by_role("link", name="Signaler").click()
    bob_page.get_by_label("injurieux ou abusif").check()
    bob_page.get_by_role("button", name="Envoyer le signalement").click()

    alice_page.goto("/moderation/")
    expect(alice_page.get_by_text("Merci, je regarde ça.")).to_be_visible()
    axe_check(alice_page)
    alice_page.get_by_role("button", name="Masquer le contenu").click()
    bob_page.reload()
    expect(bob_page.get_by_text("Merci, je regarde ça.")).to_have_count(0)
