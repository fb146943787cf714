"""Browser journey: a document linked in a live chat message shows as a card only on the
page of a reader who may see it.

Alice (owner of Budget 2027) and Bob (a plain member) have the group's room open. Alice
writes a message linking a document restricted to the animators and another every member
may see. Alice's page shows both cards; Bob's page shows the message, the shared
document's card, and nothing of the restricted one's name. Console errors fail it.
"""

import pytest
from playwright.sync_api import expect

from intranet.chat import services as chat_services
from intranet.documents.cards import document_url
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from tests.documents.rows import make_document
from tests.factories import PASSWORD, UserFactory, make_department

SECRET = "Plan social confidentiel"


@pytest.fixture
def room(transactional_db):
    finance = make_department("Direction des finances")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Morel", department=finance)
    group = group_services.group_create(alice, name="Budget 2027", policy="closed")
    Membership.objects.get_or_create(group=group, agent=bob)
    secret = make_document(group, alice, f"{SECRET}.pdf", restriction="animators")
    shared = make_document(group, alice, "Note de cadrage.odt", mime="application/x")
    return chat_services.group_room(alice, group), secret, shared


def test_a_live_message_shows_only_the_cards_its_reader_may_see(
    room, browser, live_site, sign_in, axe_check
):
    conversation, secret, shared = room
    problems, pages = [], {}
    for username in ("alice", "bob"):
        context = browser.new_context(base_url=live_site.url, locale="fr-FR")
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        sign_in(page, username, PASSWORD)
        page.goto(f"/chat/{conversation.pk}/")
        expect(page.locator("html[data-live=on]")).to_be_attached()
        pages[username] = page
    body = f"Les pièces : [plan]({document_url(secret.pk)}) et [note]({document_url(shared.pk)})"
    pages["alice"].get_by_role("textbox", name="Message").fill(body)
    pages["alice"].get_by_role("button", name="Envoyer").click()
    for page in pages.values():
        expect(
            page.locator(".chat-message__cards .document-card__name", has_text="Note de cadrage")
        ).to_be_visible()
    expect(pages["alice"].locator(".document-card__name", has_text=SECRET)).to_be_visible()
    assert SECRET not in pages["bob"].content()
    axe_check(pages["alice"])
    assert problems == []
