"""Notification events: counts.refresh on agent.<id> (no content: the socket reads the
unread count itself) when an agent's notifications change."""

from intranet.notifications import services
from intranet.stream.services import posts


def test_a_mention_refreshes_the_mentioned_agents_count_only(alice, carol, published_events):
    with published_events.committing():
        posts.post_create(alice, body="Merci @carol", visibility="organisation")
    assert [(p.group, p.message) for p in published_events.of_kind("counts.refresh")] == [
        (f"agent.{carol.pk}", {"type": "counts.refresh"})
    ]


def test_marking_read_refreshes_the_readers_count(carol, published_events):
    with published_events.committing():
        services.notifications_mark_read(carol)
    assert [(p.group, p.kind) for p in published_events.sent] == [
        (f"agent.{carol.pk}", "counts.refresh")
    ]
