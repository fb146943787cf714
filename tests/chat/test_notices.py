"""Notifications of chat messages missed while away (chat.services.notices): one per
conversation until read, by the agent's notification settings, never for group rooms,
and only while the agent may still read the conversation."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from intranet.chat import services
from intranet.chat.services.notices import MISSED_AFTER, chat_missed_notify
from intranet.chat.tasks import MISSED_JOB
from intranet.core.schedule import _registry as periodic_jobs
from intranet.notifications.models import Kind, Notification
from intranet.notifications.selectors import describe, unread_count, visible_notifications
from intranet.notifications.services import preferences_set


def send(actor, conversation, body, key):
    return services.message_send(actor, conversation.pk, body=body, idempotency_key=key)[0]


def later():
    return timezone.now() + MISSED_AFTER + timedelta(seconds=1)


@pytest.fixture
def direct(alice, bob):
    return services.conversation_direct_open(alice, other=bob)


def chat_notices(agent):
    return Notification.objects.filter(recipient=agent, kind=Kind.CHAT_MESSAGE)


def test_a_burst_of_missed_messages_notifies_once_until_read(direct, alice, bob):
    for n in range(3):
        send(bob, direct, f"Message {n}", f"burst-{n:04d}")
    assert chat_missed_notify(now=later()) == 1
    assert chat_missed_notify(now=later()) == 0
    send(bob, direct, "Encore un", "burst-0004")
    assert chat_missed_notify(now=later()) == 0
    (notice,) = chat_notices(alice)
    assert (notice.actor, notice.target, notice.read_at) == (bob, direct, None)
    assert chat_notices(bob).count() == 0  # the sender is not told of their own messages
    with translation.override("en"):
        assert describe(notice) == f"{bob.display_name} sent you a message: direct messages"
    assert unread_count(alice) == 1

    services.conversation_mark_read(alice, direct.pk, seq=direct.messages.count())
    notice.refresh_from_db()
    assert notice.read_at is not None and unread_count(alice) == 0
    send(bob, direct, "Après lecture", "burst-0005")
    assert chat_missed_notify(now=later()) == 1
    assert chat_notices(alice).count() == 2


def test_a_message_read_in_time_or_too_recent_notifies_nobody(direct, alice, bob):
    message = send(bob, direct, "Tu es là ?", "recent-0001")
    assert chat_missed_notify(now=timezone.now()) == 0  # not missed yet
    services.conversation_mark_read(alice, direct.pk, seq=message.seq)
    assert chat_missed_notify(now=later()) == 0  # read on the open page
    assert not chat_notices(alice).exists()


def test_the_agent_s_notification_settings_are_followed(direct, alice, bob):
    preferences_set(alice, {Kind.CHAT_MESSAGE: "off"})
    send(bob, direct, "Personne ne le saura", "off-00001")
    chat_missed_notify(now=later())
    assert not chat_notices(alice).exists()


def test_group_rooms_notify_through_mentions_only(room, alice, bob):
    send(alice, room, "Bonjour l’équipe", "room-00001")
    services.conversation_mark_read(bob, room.pk, seq=0)  # bob opened the room before
    assert chat_missed_notify(now=later()) == 0
    assert not chat_notices(bob).exists()


def test_who_left_the_conversation_or_was_deactivated_is_not_told(alice, bob, carol):
    named = services.conversation_named_create(alice, name="Budget", agents=[bob, carol])
    services.conversation_leave(carol, named.pk)
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    send(alice, named, "Il reste quelqu’un ?", "left-00001")
    assert chat_missed_notify(now=later()) == 0


def test_a_notice_is_shown_only_while_the_conversation_is_readable(alice, bob):
    named = services.conversation_named_create(alice, name="Budget", agents=[bob])
    send(alice, named, "<script>alert(1)</script>", "gone-00001")
    chat_missed_notify(now=later())
    assert visible_notifications(bob).filter(kind=Kind.CHAT_MESSAGE).count() == 1
    services.conversation_leave(bob, named.pk)
    assert not visible_notifications(bob).filter(kind=Kind.CHAT_MESSAGE).exists()


def test_the_badge_is_refreshed_when_told_and_when_read(direct, alice, bob, published_events):
    send(bob, direct, "Badge", "badge-0001")
    with published_events.committing():
        chat_missed_notify(now=later())
    assert [p.group for p in published_events.of_kind("counts.refresh")] == [f"agent.{alice.pk}"]
    with published_events.committing():
        services.conversation_mark_read(alice, direct.pk, seq=1)
    refreshed = [p.group for p in published_events.of_kind("counts.refresh")]
    assert refreshed == [f"agent.{alice.pk}"] * 2


def test_the_check_runs_on_the_periodic_chain():
    job = periodic_jobs[MISSED_JOB]
    assert job.task_path == "intranet.chat.tasks.chat_missed_periodic"
    now = timezone.now()
    assert job.next_run(now) - now == timedelta(minutes=1)
