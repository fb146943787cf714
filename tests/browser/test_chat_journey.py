"""Browser journey of chat, in French, with two agents in two browser contexts.

Alice and Bob open their group's room. Alice writes; Bob sees it live. Bob loses his
connection (his context goes offline and his socket drops); meanwhile Alice writes twice
and Bob types a message, shown "pas encore envoyé". When Bob is back online his page
reconnects, replays the two messages he missed, and his waiting message reaches Alice.
axe checks the chat page. Console errors fail the journey, except the network errors
the offline period itself causes (a socket or a request that cannot reach the server).
"""

import re

import pytest
from playwright.sync_api import expect

from intranet.chat import services as chat_services
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from tests.factories import PASSWORD, UserFactory, make_department

# Keep a reference to every socket a page opens, so the test can drop it like a network
# failure would (the page's own code never sees this wrapper differently).
KEEP_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    window.__sockets.push(socket);
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""
OFFLINE_NOISE = re.compile(
    r"WebSocket connection|ERR_INTERNET_DISCONNECTED|Failed to load resource"
)


@pytest.fixture
def room(transactional_db):
    finance = make_department("Direction des finances")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Morel", department=finance)
    group = group_services.group_create(alice, name="Budget 2027", policy="closed")
    Membership.objects.get_or_create(group=group, agent=bob)
    return chat_services.group_room(alice, group)


@pytest.fixture
def two_agents(browser, live_site):
    """Two contexts (Alice, Bob); problems gathered, the offline noise told apart."""
    problems, contexts = [], []

    def open_page(keep_sockets=False):
        context = browser.new_context(base_url=live_site.url, locale="fr-FR")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if keep_sockets:
            page.add_init_script(KEEP_SOCKETS)
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        return context, page

    yield open_page, problems
    for context in contexts:
        context.close()


def write(page, text):
    page.get_by_role("textbox", name="Message").fill(text)
    page.get_by_role("button", name="Envoyer").click()


def test_missed_messages_come_back_after_a_lost_connection(room, two_agents, sign_in, axe_check):
    open_page, problems = two_agents
    _alice_context, alice = open_page()
    bob_context, bob = open_page(keep_sockets=True)
    sign_in(alice, "alice", PASSWORD)
    sign_in(bob, "bob", PASSWORD)
    for page in (alice, bob):
        page.goto(f"/chat/{room.pk}/")
        expect(page.locator("html[data-live=on]")).to_be_attached()
    axe_check(alice)

    log_alice, log_bob = alice.locator("[data-messages]"), bob.locator("[data-messages]")
    write(alice, "Bonjour Bob, le budget est prêt.")
    expect(log_bob).to_contain_text("le budget est prêt")

    bob_context.set_offline(True)
    bob.evaluate("window.__sockets.forEach((s) => s.close())")
    expect(bob.locator("html[data-live=on]")).not_to_be_attached()
    write(alice, "Premier message manqué")
    write(alice, "Second message manqué")
    expect(log_alice).to_contain_text("Second message manqué")
    write(bob, "Écrit hors ligne")
    waiting = bob.locator("li[data-state=pending]")
    expect(waiting).to_contain_text("Écrit hors ligne")
    expect(waiting).to_contain_text("pas encore envoyé")
    expect(log_bob).not_to_contain_text("manqué")

    bob_context.set_offline(False)
    expect(log_bob).to_contain_text("Premier message manqué", timeout=40_000)
    expect(log_bob).to_contain_text("Second message manqué")
    expect(bob.locator("li[data-state]")).to_have_count(0, timeout=20_000)
    expect(log_alice).to_contain_text("Écrit hors ligne", timeout=20_000)
    # Each message once, in order, on both sides.
    for log in (log_alice, log_bob):
        texts = log.locator("li[data-seq]").all_inner_texts()
        order = [t for w in ("prêt", "Premier", "Second", "hors ligne") for t in texts if w in t]
        assert len(order) == 4, texts
        assert [texts.index(t) for t in order] == sorted(texts.index(t) for t in order)
    axe_check(bob)

    unexpected = [p for p in problems if not OFFLINE_NOISE.search(p)]
    assert unexpected == [], "console errors or CSP violations:\n" + "\n".join(unexpected)
