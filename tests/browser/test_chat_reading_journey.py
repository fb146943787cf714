"""Browser journey: a chat that reads like a chat, used with the keyboard only.

Alice and Bob wrote to each other yesterday; today Alice sent three messages within a
minute, which Bob has not read. Bob opens their conversation at 1280 px: the conversation list
stands beside it, days are separated, Alice's messages are grouped, his own are marked
"Vous", and the first message he has not read is marked. With the keyboard only he opens
a message's one menu, reacts (the focus stays on the reaction, its state changes), closes
the menu with Escape (the focus returns to its button) and reaches the composer in one
tab stop from the last message. Live messages are grouped as the server groups them. An
image he attaches needs a description, which becomes its text alternative. At 390 px the
page is one pane, with no horizontal scroll. axe runs on every page.
"""

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from intranet.chat import services as chat_services
from intranet.chat.models import Message
from tests.factories import PASSWORD, UserFactory, make_department

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"

# The list's structure, the unread marker and "seen by" aside: what live rendering and
# the server must agree on.
STRUCTURE = """list => [...list.children].filter(li => !li.matches('[data-unread-marker]'))
  .map(li => [li.className.split(' ').filter(c => c.startsWith('chat')).sort().join(' '),
              li.dataset.daySeparator || '',
              (li.querySelector('.chat-message__sender') || {}).textContent || '',
              (li.querySelector('.chat-message__avatar') || {}).textContent || ''])"""


@pytest.fixture
def direct(transactional_db):
    finance = make_department("Direction des finances")
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Morel", department=finance)
    conversation = chat_services.conversation_direct_open(alice, other=bob)
    # Today at 9:00 local time (never straddling midnight), and the day before.
    morning = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    yesterday = morning - timedelta(days=1)

    def say(agent, body, when):
        message, _created = chat_services.message_send(
            agent, conversation.pk, body=body, idempotency_key=f"key-{abs(hash(body))}"
        )
        Message.objects.filter(pk=message.pk).update(created_at=when)
        return message

    say(alice, "Bonjour Bob", yesterday)
    say(bob, "Bonjour Alice", yesterday + timedelta(minutes=1))
    read = say(alice, "Le budget est prêt", yesterday + timedelta(minutes=2))
    chat_services.conversation_mark_read(bob, conversation.pk, seq=read.seq)
    now = morning
    say(alice, "Tu peux relire ?", now)
    say(alice, "La partie investissements surtout", now + timedelta(seconds=20))
    say(alice, "Merci d’avance", now + timedelta(seconds=40))
    return conversation


def tab_to(page, locator, limit=80):
    """Press Tab until locator has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("the keyboard never reached the element")


def message(page, text):
    return page.locator("[data-messages] li[data-seq]", has_text=text)


def test_bob_reads_and_reacts_by_keyboard_in_two_panes(direct, new_page, sign_in, axe_check):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "bob", PASSWORD)
    page.goto("/chat/")
    expect(page.locator("html[data-live=on]")).to_be_attached()
    axe_check(page)
    page.goto(f"/chat/{direct.pk}/")
    expect(page.locator("html[data-live=on]")).to_be_attached()

    # Two panes: the list of conversations beside the open one.
    listing = page.locator(".chat-layout__list").bounding_box()
    main = page.locator(".chat-layout__main").bounding_box()
    assert listing["x"] + listing["width"] <= main["x"]  # side by side, rows overlapping
    assert listing["y"] < main["y"] + main["height"] and main["y"] < listing["y"] + 100
    expect(page.locator(".chat-layout__list")).to_be_visible()
    expect(page.locator(".chat-list a[aria-current=page]")).to_have_text("Alice Lefèvre")
    # Nothing older to load: the button stays hidden (and [hidden] wins over .button).
    expect(page.locator("[data-load-older]")).to_be_hidden()

    # Days, groups, mine, the first unread.
    expect(page.locator("li[data-day-separator]")).to_have_count(2)
    expect(message(page, "Bonjour Alice").locator(".chat-message__sender")).to_have_text(
        re.compile("^(Vous|You)$")
    )
    expect(message(page, "Bonjour Alice")).to_have_class(re.compile("chat-message--mine"))
    marker = page.locator("[data-messages] > [data-unread-marker]")
    expect(marker).to_have_count(1)
    assert marker.evaluate("m => m.nextElementSibling.textContent").find("Tu peux relire") >= 0
    expect(message(page, "Tu peux relire ?")).not_to_have_class(re.compile("--continued"))
    expect(message(page, "La partie investissements")).to_have_class(re.compile("--continued"))
    expect(message(page, "Merci d’avance")).to_have_class(re.compile("--continued"))
    axe_check(page)

    # One menu per message, by keyboard: react, keep the focus, Escape.
    target = message(page, "La partie investissements")
    menu_button = target.locator("[data-menu-button]")
    tab_to(page, menu_button)
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    like = target.get_by_role("button", name="J’aime")
    page.keyboard.press("Tab")
    expect(like).to_be_focused()
    axe_check(page)
    page.keyboard.press("Enter")
    expect(target.locator(".reaction[data-kind=like] .reaction__count")).to_have_text("1")
    like = message(page, "La partie investissements").get_by_role("button", name="J’aime")
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like).to_be_focused()
    # The reaction shows the site's own icon and an accessible name, not "like 1".
    chip = message(page, "La partie investissements").locator(".reaction[data-kind=like]")
    expect(chip.locator("svg use")).to_have_attribute("href", re.compile(r"reactions.*\.svg#"))
    expect(chip).to_have_text(re.compile(r"^J’aime\s*1$"))
    page.keyboard.press("Escape")
    menu_button = message(page, "La partie investissements").locator("[data-menu-button]")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_be_focused()

    # From the last message, the composer is one tab stop away.
    tab_to(page, message(page, "Merci d’avance").locator("[data-menu-button]"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    page.keyboard.type("Je relis cet après-midi")
    page.keyboard.press("Enter")
    expect(message(page, "Je relis cet après-midi")).to_have_class(re.compile("--mine"))

    # The reaction is stored: a reload shows it, drawn by the server the same way.
    page.reload()
    chip = message(page, "La partie investissements").locator(".reaction[data-kind=like]")
    expect(chip).to_have_text(re.compile(r"^J’aime\s*1$"))
    expect(chip).to_have_class(re.compile("reaction--mine"))


def test_live_messages_are_grouped_as_the_server_groups_them(direct, new_page, sign_in):
    alice, bob = new_page(), new_page()
    sign_in(alice, "alice", PASSWORD)
    sign_in(bob, "bob", PASSWORD)
    for page in (alice, bob):
        page.goto(f"/chat/{direct.pk}/")
        expect(page.locator("html[data-live=on]")).to_be_attached()
    for text in ("Première remarque", "Deuxième remarque"):
        alice.get_by_role("textbox", name="Message").fill(text)
        alice.get_by_role("button", name="Envoyer").click()
        expect(message(bob, text)).to_be_attached()
    bob.get_by_role("textbox", name="Message").fill("Bien reçu")
    bob.get_by_role("button", name="Envoyer").click()
    expect(message(bob, "Bien reçu").locator("[data-menu-button]")).to_be_attached()
    live = bob.locator("[data-messages]").evaluate(STRUCTURE)
    bob.reload()
    expect(message(bob, "Bien reçu")).to_be_attached()
    assert bob.locator("[data-messages]").evaluate(STRUCTURE) == live
    assert "chat-message chat-message--continued" in [row[0] for row in live]


def test_one_pane_without_horizontal_scroll_on_a_phone(direct, new_page, sign_in, axe_check):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "bob", PASSWORD)
    page.goto("/chat/")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    axe_check(page)
    page.goto(f"/chat/{direct.pk}/")
    expect(page.locator("html[data-live=on]")).to_be_attached()
    expect(page.locator(".chat-layout__list")).to_be_hidden()
    expect(page.get_by_role("link", name="Toutes les conversations")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    menu_button = message(page, "Merci d’avance").locator("[data-menu-button]")
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(message(page, "Merci d’avance").get_by_role("button", name="Répondre")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    axe_check(page)


def test_an_attached_image_is_described_by_its_sender(direct, new_page, sign_in, axe_check):
    page = new_page()
    sign_in(page, "bob", PASSWORD)
    page.goto(f"/chat/{direct.pk}/")
    expect(page.locator("html[data-live=on]")).to_be_attached()
    description = page.locator("[name=attachment_alt]")
    expect(description).to_be_hidden()  # asked for once an image is chosen
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "blue").save(buffer, "PNG")
    page.locator("input[type=file]").set_input_files(
        {"name": "graphique.png", "mimeType": "image/png", "buffer": buffer.getvalue()}
    )
    expect(description).to_be_visible()
    expect(description).to_have_attribute("required", "")
    axe_check(page)
    description.fill("Graphique des dépenses 2027 <script>")
    page.get_by_role("button", name="Envoyer").click()
    image = page.locator("[data-messages] img.chat-message__image")
    expect(image).to_have_attribute("alt", "Graphique des dépenses 2027 <script>")
    expect(page.get_by_role("link", name=re.compile("Graphique des dépenses 2027"))).to_be_visible()
