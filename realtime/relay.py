"""The embedded mode's channel layer: daphne's memory, reached from other processes too.

Without REDIS_URL the channel layer is Channels' in-memory one, which lives in the
process that holds the sockets (daphne). A publish from the worker, a manage.py command
or a shell went into that process's own memory and reached nobody: a deactivation did
not close the agent's sockets, a notification made by the worker did not update a count.

Here a process with no socket of its own (no member in any of its layer's groups: the
worker, a command) writes what it publishes to a table (realtime.OutboxMessage), one row
per message, after the publishing transaction committed (publish.py runs on commit only).
Daphne's process reads the table every POLL_SECONDS, from its first socket on, deletes
the rows it read and hands their messages, in order, to its in-memory layer. Messages
published in daphne's process itself (chat, typing, presence) still go straight to
memory: no write and no polling delay on the hot path. A channel layer over SQLite
instead would have put every typing indicator and chat event through a write on the one
SQLite writer and a poll. Rows older than EXPIRY_SECONDS (daphne was stopped) are
dropped unread, as the in-memory layer expires its messages: clients replay what they
missed from the database. With Redis (production) none of this is used.
"""

import asyncio
import json
import logging
import time
from datetime import timedelta

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.utils import timezone

from realtime.outage import Outage

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5
EXPIRY_SECONDS = 60
BATCH = 500  # rows read per poll
GROUP_EXPIRY_NEVER = 100 * 365 * 86400  # seconds (EmbeddedChannelLayer)

outbox_outage = Outage(logger, "database (real-time outbox)")
# One relay per event loop that holds sockets (a server has one loop; a test process may
# run an in-process daphne's beside each test's own).
_tasks: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
_pruned = {"at": -float(EXPIRY_SECONDS)}


class EmbeddedChannelLayer(InMemoryChannelLayer):
    """Channels' in-memory layer; publishes made outside daphne reach it (module doc).

    Its group memberships do not expire: Channels' default (a day) silently dropped a
    socket open for longer from its agent's and conversations' groups, which the Redis
    layer never does; a socket leaves its groups when it closes.
    """

    def __init__(self, group_expiry=GROUP_EXPIRY_NEVER, **kwargs):
        super().__init__(group_expiry=group_expiry, **kwargs)

    def has_sockets(self) -> bool:
        """Whether a socket of this process listens: each joins its agent's group."""
        return bool(self.groups)


def through_outbox(layer) -> bool:
    """Whether a publish made in this process must go through the table."""
    return isinstance(layer, EmbeddedChannelLayer) and not layer.has_sockets()


def outbox_put(group: str, message: dict) -> bool:
    """Write a message for daphne's process; False (logged once) if the database fails."""
    from realtime.models import OutboxMessage

    try:
        OutboxMessage.objects.create(
            group=group, message=json.dumps(message, cls=DjangoJSONEncoder)
        )
        if time.monotonic() - _pruned["at"] >= EXPIRY_SECONDS:  # daphne may be stopped
            _pruned["at"] = time.monotonic()
            OutboxMessage.objects.filter(created_at__lt=_horizon()).delete()
    except DatabaseError as exc:
        outbox_outage.failed(exc, doing=f"publishing to {group}")
        return False
    outbox_outage.ok()
    return True


def _horizon():
    return timezone.now() - timedelta(seconds=EXPIRY_SECONDS)


def outbox_take() -> list[tuple[str, dict]]:
    """The waiting messages (oldest first, at most BATCH), deleted as they are read.

    No transaction: an empty poll must not take SQLite's write lock (IMMEDIATE
    transactions), and deleting exactly the ids read loses nothing written meanwhile.
    """
    from realtime.models import OutboxMessage

    rows = list(OutboxMessage.objects.values_list("id", "group", "message", "created_at")[:BATCH])
    if not rows:
        return []
    OutboxMessage.objects.filter(id__in=[row[0] for row in rows]).delete()
    horizon = _horizon()
    return [(group, json.loads(text)) for _pk, group, text, at in rows if at >= horizon]


async def forward() -> int:
    """One poll: hand the waiting messages to this process's layer; how many."""
    from realtime.threads import in_db_thread  # SQLite: Channels' one database thread

    layer = get_channel_layer()
    try:
        messages = await in_db_thread(outbox_take)()
    except Exception as exc:  # the database is away: the next poll tries again
        outbox_outage.failed(exc, doing="reading the outbox")
        return 0
    outbox_outage.ok()
    for group, message in messages:
        await layer.group_send(group, message)
    return len(messages)


async def run() -> None:
    while True:
        await asyncio.sleep(POLL_SECONDS)
        try:
            await forward()
        except Exception:  # never ends the relay
            logger.exception("real-time outbox relay failed")


def start() -> None:
    """Called by each signed-in socket: the relay runs in a process that holds sockets."""
    if not isinstance(get_channel_layer(), EmbeddedChannelLayer):
        return
    loop = asyncio.get_running_loop()
    task = _tasks.get(loop)
    if task is None or task.done():
        for closed in [other for other in _tasks if other.is_closed()]:
            del _tasks[closed]  # the loops of finished tests
        _tasks[loop] = loop.create_task(run(), name="outbox-relay")


def stop() -> list[asyncio.Task]:
    """Cancel the relay of every event loop (tests; the next socket starts it again).
    Returns the tasks of loops running in other threads (an in-process daphne's),
    cancelled once their loop takes the order."""
    from realtime.threads import cancel_from_any_thread

    tasks = list(_tasks.values())
    _tasks.clear()
    return [task for task in tasks if cancel_from_any_thread(task)]
