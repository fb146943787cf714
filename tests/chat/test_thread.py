"""How a conversation page groups messages (chat.selectors.message_thread; chat.js's
regroup applies the same rules live): days, senders, mine, the first unread."""

import itertools
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from intranet.chat import selectors, services
from intranet.chat.models import Message

KEYS = itertools.count()


def morning():
    """Today at 9:00, local time: a test's messages never straddle midnight."""
    return timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)


def say(actor, conversation, body, when):
    message = services.message_send(
        actor, conversation.pk, body=body, idempotency_key=f"thread-{next(KEYS):06d}"
    )[0]
    Message.objects.filter(pk=message.pk).update(created_at=when)
    return message


def thread(conversation, me, read_seq=None):
    payloads = selectors.message_payloads(selectors.message_page(conversation))
    return {
        row["body"]: row for row in selectors.message_thread(payloads, me=me.pk, read_seq=read_seq)
    }


def test_messages_group_by_sender_day_and_minutes(room, alice, bob):
    say(alice, room, "hier", morning() - timedelta(days=1))
    today = morning()
    say(alice, room, "un", today)
    say(alice, room, "deux", today + timedelta(minutes=4))
    say(alice, room, "trois", today + timedelta(minutes=10))  # too late to group
    say(bob, room, "quatre", today + timedelta(minutes=11))
    reply = say(bob, room, "cinq", today + timedelta(minutes=12))
    Message.objects.filter(pk=reply.pk).update(parent=Message.objects.get(body="un"))
    rows = thread(room, bob)
    assert [rows[b]["new_day"] for b in ("hier", "un", "deux")] == [True, True, False]
    assert [rows[b]["continued"] for b in ("hier", "un", "deux", "trois", "quatre", "cinq")] == [
        False,
        False,
        True,
        False,
        False,
        False,  # a reply starts its own group
    ]
    assert rows["quatre"]["mine"] and not rows["un"]["mine"]
    assert not any(row["first_unread"] for row in rows.values())  # no read position given


def test_the_first_unread_message_of_another_agent_is_marked(room, alice, bob):
    now = morning()
    read = say(alice, room, "lu", now)
    say(bob, room, "moi", now + timedelta(seconds=10))
    say(alice, room, "nouveau", now + timedelta(seconds=20))
    say(alice, room, "suite", now + timedelta(seconds=30))
    rows = thread(room, bob, read_seq=read.seq)
    assert [b for b, row in rows.items() if row["first_unread"]] == ["nouveau"]
    assert not rows["nouveau"]["continued"] and rows["suite"]["continued"]


def test_the_page_shows_groups_you_and_reactions_with_icons(room, alice, bob, client):
    now = morning()
    first = say(alice, room, "Bonjour", now)
    say(alice, room, "Ça va ?", now + timedelta(minutes=1))
    say(bob, room, "Oui", now + timedelta(minutes=2))
    services.reaction_toggle(bob, first.pk, kind="idea")
    client.force_login(bob)
    html = client.get(reverse("chat:conversation-detail", args=[room.pk])).content.decode()
    assert html.count('class="chat-day"') == 1
    assert html.count("chat-message--continued") == 1
    mine = re.search(r'<li class="chat-message chat-message--mine".*?</li>', html, re.S).group()
    assert re.search(r'class="chat-message__sender">(Vous|You)</span>', mine)
    assert "idea 1" not in html
    assert re.search(
        r'<span class="reaction reaction--mine" data-kind="idea" title="Bonne idée">'
        r'<svg class="reaction-icon"[^>]*><use href="[^"]*reactions[^"]*\.svg#reaction-idea">'
        r'</use></svg><span class="visually-hidden">Bonne idée</span> '
        r'<span class="reaction__count">1</span></span>',
        html,
    )


def test_load_older_is_offered_only_when_there_is_something_older(room, alice, client):
    client.force_login(alice)
    url = reverse("chat:conversation-detail", args=[room.pk])
    say(alice, room, "seul", timezone.now())
    assert re.search(r"data-load-older hidden", client.get(url).content.decode())
    for n in range(selectors.PAGE_SIZE):
        say(alice, room, f"message {n}", timezone.now())
    assert not re.search(r"data-load-older hidden", client.get(url).content.decode())
