"""The embedded mode's outbox (realtime.relay): a process without sockets writes what it
publishes to a table; the process with sockets forwards it, in order, and deletes it.
The cross-process journey through a real daphne is in test_embedded.py."""

import asyncio
import logging
from datetime import timedelta

import pytest
from channels.layers import get_channel_layer
from django.db import connection
from django.utils import timezone

from realtime import publish, relay
from realtime.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
async def layer():
    """The settings' layer (embedded mode: no REDIS_URL), empty."""
    found = get_channel_layer()
    if not isinstance(found, relay.EmbeddedChannelLayer):
        pytest.skip("REDIS_URL is set: the embedded mode's layer is not in use")
    await found.flush()
    yield found
    await found.flush()


def rows():
    return list(OutboxMessage.objects.values_list("group", flat=True))


async def test_a_process_without_sockets_writes_to_the_outbox(layer):
    from asgiref.sync import sync_to_async

    sent = await sync_to_async(publish.publish_to_agent)(7, {"type": "counts"})
    assert sent is True
    assert await sync_to_async(rows)() == ["agent.7"]


async def test_a_process_with_sockets_publishes_in_memory(layer):
    from asgiref.sync import sync_to_async

    channel = await layer.new_channel()
    await layer.group_add(publish.agent_group(7), channel)
    await sync_to_async(publish.publish_to_agent)(7, {"type": "counts"})
    assert (await layer.receive(channel))["event"] == {"type": "counts"}
    assert await sync_to_async(rows)() == []


async def test_forward_delivers_in_order_deletes_and_drops_expired_rows(layer):
    from asgiref.sync import sync_to_async

    def written():
        for n in range(3):
            relay.outbox_put(publish.agent_group(7), {"type": "relay", "event": {"n": n}})
        relay.outbox_put(publish.agent_group(7), {"type": "relay", "event": {"n": "old"}})
        old = timezone.now() - timedelta(seconds=relay.EXPIRY_SECONDS + 1)
        OutboxMessage.objects.filter(pk=OutboxMessage.objects.last().pk).update(created_at=old)

    await sync_to_async(written)()
    channel = await layer.new_channel()
    await layer.group_add(publish.agent_group(7), channel)
    assert await relay.forward() == 3
    assert [(await layer.receive(channel))["event"]["n"] for _ in range(3)] == [0, 1, 2]
    assert await sync_to_async(rows)() == []
    assert await relay.forward() == 0  # nothing twice
    assert channel not in layer.channels  # and the stale one never came


def test_a_database_failure_is_logged_once_then_summarised(db, background_tasks_stopped, caplog):
    """The publish fails soft (False), and a run of failures is one error line, then
    one line when the database answers again.

    The outage is the process's: no relay of another event loop may poll the outbox
    meanwhile (an in-process daphne's, tests/browser), or its failures count too."""
    relay.outbox_outage.ok()  # a run of failures of an earlier test ended
    caplog.clear()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE realtime_outboxmessage RENAME TO realtime_away")
    try:
        with caplog.at_level(logging.WARNING, logger="realtime.relay"):
            assert [relay.outbox_put("agent.1", {"type": "x"}) for _ in range(5)] == [False] * 5
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE realtime_away RENAME TO realtime_outboxmessage")
    with caplog.at_level(logging.WARNING, logger="realtime.relay"):
        assert relay.outbox_put("agent.1", {"type": "x"}) is True
    logged = [r for r in caplog.records if r.name == "realtime.relay"]
    assert [r.levelno for r in logged] == [logging.ERROR, logging.WARNING]
    assert "(5 failed calls)" in logged[1].getMessage()


async def test_a_socket_open_for_days_stays_in_its_groups(layer):
    """Channels' in-memory layer dropped group members after a day: a tab left open over
    a weekend stopped receiving anything, without being closed."""
    import time

    channel = await layer.new_channel()
    await layer.group_add("agent.7", channel)
    layer.groups["agent.7"][channel] = time.time() - 3 * 86400  # joined three days ago
    await layer.group_send("agent.7", {"type": "counts.refresh"})
    assert (await asyncio.wait_for(layer.receive(channel), 5))["type"] == "counts.refresh"
