"""Browser journey of a conversation page's own parts, in French: older messages a page
at a time, the typing notice, replying, editing, reacting, deleting and "seen by".

Alice and Bob open their group's room, which Carol filled earlier with more messages than
one page shows. Bob loads the older ones; Alice types and Bob sees it; Bob replies to one
of Carol's messages; Alice edits a message of hers, Bob reacts to it, Alice deletes it.
In their direct conversation (group rooms do not say who has read), Bob's page, open and
visible, marks Alice's message read and Alice sees "Vu par Bob".
Every change reaches the other page live. Console errors fail the journey.
"""

import re

import pytest
from playwright.sync_api import expect

from intranet.chat import services as chat_services
from intranet.chat.selectors import PAGE_SIZE
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from tests.factories import PASSWORD, UserFactory, make_department

EARLIER = PAGE_SIZE + 5  # one page and five more


@pytest.fixture
def room(transactional_db):
    finance = make_department("Direction des finances")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Morel", department=finance)
    carol = UserFactory(
        username="carol", first_name="Carol", last_name="Dupont", department=finance
    )
    group = group_services.group_create(alice, name="Budget 2027", policy="closed")
    for agent in (bob, carol):
        Membership.objects.get_or_create(group=group, agent=agent)
    conversation = chat_services.group_room(alice, group)
    for n in range(1, EARLIER + 1):
        chat_services.message_send(
            carol,
            conversation.pk,
            body=f"Note {n:02d} de Carol",
            idempotency_key=f"carol-note-{n:02d}",
        )
    return conversation


@pytest.fixture
def pages(browser, live_site):
    """A signed-in page per agent on the room, and the console errors of all of them."""
    problems, contexts = [], []

    def open_page(sign_in, username, room):
        context = browser.new_context(base_url=live_site.url, locale="fr-FR")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        sign_in(page, username, PASSWORD)
        page.goto(f"/chat/{room.pk}/")
        expect(page.locator("html[data-live=on]")).to_be_attached()
        return page

    yield open_page, problems
    for context in contexts:
        context.close()


def message(page, text):
    return page.locator("[data-messages] li[data-seq]", has_text=text)


def action(page, text, name):
    """A message's action, behind its one menu button."""
    item = message(page, text)
    item.locator("[data-menu-button]").click()
    return item.get_by_role("button", name=name, exact=True)


def test_older_messages_typing_reply_edit_reaction_and_deletion(room, pages, sign_in):
    open_page, problems = pages
    alice, bob = open_page(sign_in, "alice", room), open_page(sign_in, "bob", room)
    log_alice = alice.locator("[data-messages]")

    # Older messages, a page at a time.
    expect(bob.locator("[data-messages] li[data-seq]")).to_have_count(PAGE_SIZE)
    bob.get_by_role("button", name="Charger les messages précédents").click()
    expect(bob.locator("[data-messages] li[data-seq]")).to_have_count(EARLIER)
    expect(bob.locator("[data-load-older]")).to_have_attribute("hidden", "")
    expect(bob.locator("[data-load-older]")).to_be_hidden()  # [hidden] wins over .button
    expect(message(bob, "Note 01 de Carol")).to_be_attached()

    # The typing notice.
    alice.get_by_role("textbox", name="Message").press_sequentially("Je rédige")
    expect(bob.locator("[data-typing]")).to_contain_text("est en train d’écrire")

    # A reply to one of Carol's messages.
    action(bob, "Note 03 de Carol", "Répondre").click()
    expect(bob.locator("[data-replying]")).to_contain_text("En réponse à")
    bob.get_by_role("textbox", name="Message").fill("Réponse à la note 3")
    bob.get_by_role("button", name="Envoyer").click()
    expect(bob.locator("[data-replying]")).to_be_hidden()
    reply = log_alice.locator("li.chat-message--reply", has_text="Réponse à la note 3")
    expect(reply).to_be_attached()

    # Alice's own message: edited, reacted to, deleted.
    alice.get_by_role("textbox", name="Message").fill("Le budget est prêt")
    alice.get_by_role("button", name="Envoyer").click()
    expect(message(bob, "Le budget est prêt")).to_be_attached()
    mine = message(alice, "Le budget est prêt")
    action(alice, "Le budget est prêt", "Modifier").click()
    mine.get_by_role("textbox", name="Modifier").fill("Le budget 2027 est prêt")
    mine.get_by_role("button", name="Enregistrer").click()
    edited = message(bob, "Le budget 2027 est prêt")
    expect(edited).to_contain_text("(modifié)")

    action(bob, "Le budget 2027 est prêt", "J’aime").click()
    expect(
        message(alice, "Le budget 2027 est prêt").locator("[data-reactions] .reaction")
    ).to_have_text(re.compile(r"^J’aime\s*1$"))

    action(alice, "Le budget 2027 est prêt", "Supprimer").click()
    expect(bob.locator(".chat-message__tombstone")).to_have_text("Ce message a été supprimé.")
    expect(message(bob, "Le budget 2027 est prêt")).to_have_count(0)

    assert problems == [], "console errors or CSP violations:\n" + "\n".join(problems)


def test_direct_conversation_shows_who_has_read_a_message(room, pages, sign_in):
    open_page, problems = pages
    alice_user = room.group.memberships.get(agent__username="alice").agent
    bob_user = room.group.memberships.get(agent__username="bob").agent
    direct = chat_services.conversation_direct_open(alice_user, other=bob_user)
    alice, bob = open_page(sign_in, "alice", direct), open_page(sign_in, "bob", direct)

    alice.get_by_role("textbox", name="Message").fill("Tu as vu le budget ?")
    alice.get_by_role("button", name="Envoyer").click()
    expect(message(bob, "Tu as vu le budget ?")).to_be_attached()
    # The name alone: not the hidden label of Bob's presence dot ("Vu par en ligne Bob").
    seen = message(alice, "Tu as vu le budget ?").locator("[data-seen]")
    expect(seen).to_have_text("Vu par Bob Morel")
    # A reaction re-renders the message: "seen by" stays.
    action(bob, "Tu as vu le budget ?", "J’aime").click()
    reactions = message(alice, "Tu as vu le budget ?").locator("[data-reactions] .reaction")
    expect(reactions).to_have_text(re.compile(r"^J’aime\s*1$"))
    expect(message(alice, "Tu as vu le budget ?").locator("[data-seen]")).to_have_text(
        "Vu par Bob Morel"
    )
    assert problems == [], "console errors or CSP violations:\n" + "\n".join(problems)
