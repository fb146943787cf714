"""The one publisher of real-time events: synchronous code → the channel layer.

Generic only: group names and functions that send to a group, an agent, a conversation's
readers or everyone. The events themselves (a post published, a message changed, a
presence state) belong to the apps that own them, in their `events.py`, which call these.

Only services call it, and only from `transaction.on_commit`, so nothing is announced that
could still be rolled back. Publishing is best effort: the database is the truth and
clients replay what they missed, so a channel layer that is down or drops a message loses
nothing. Every function returns False (and logs) instead of raising when the layer fails.

Channel-layer groups (see docs/realtime.md):
- ``agent.<id>``: every socket of one agent (counts, subscription changes, disconnection);
- ``session.<hash>``: the sockets opened with one session (closed on sign-out);
- ``conv.<id>``: sockets subscribed to a conversation; events carry the audience allowed
  to receive them, computed from the database when the change was committed;
- ``group.<id>``: sockets of a group's members (new posts, reaction counts: ids only);
- ``presence.<id>``: sockets watching an agent's presence.
"""

import asyncio
import contextlib
import contextvars
import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from realtime import relay
from realtime.outage import Outage

logger = logging.getLogger(__name__)

# Every publish and subscription of this process fails while Redis is away: logged once,
# then a summary (realtime.outage), not a traceback per call.
layer_outage = Outage(logger, "channel layer")

PUBLISH_TIMEOUT = 2.0  # seconds: a layer that hangs must not hold a request for long


def agent_group(agent_id: int) -> str:
    return f"agent.{int(agent_id)}"


def conversation_group(conversation_id: int) -> str:
    return f"conv.{int(conversation_id)}"


def group_group(group_id: int) -> str:
    return f"group.{int(group_id)}"


def presence_group(agent_id: int) -> str:
    return f"presence.{int(agent_id)}"


def session_group(session_key: str) -> str:
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


async def _send_with_timeout(layer, group: str, message: dict) -> None:
    await asyncio.wait_for(layer.group_send(group, message), PUBLISH_TIMEOUT)


# Inside `collected()`, publishes are kept for the caller instead of being sent.
_collector: contextvars.ContextVar[list | None] = contextvars.ContextVar(
    "realtime_publish_collector", default=None
)


@contextlib.contextmanager
def collected():
    """Keep the publishes made inside (after-commit hooks included) in the yielded list.

    For code that runs in a database thread on behalf of a consumer (the WebSocket send
    path): instead of holding that thread while the event loop talks to the channel
    layer, the consumer sends the kept events itself with `send_collected`, from its
    loop, once the thread is free for the next command. Order is kept.
    """
    pending: list[tuple[str, dict]] = []
    token = _collector.set(pending)
    try:
        yield pending
    finally:
        _collector.reset(token)


async def send_collected(pending: list[tuple[str, dict]], *, origin: str | None = None) -> bool:
    """Send what `collected()` kept, in order; False (logged) if any send failed.

    origin: the channel of the socket whose action made these events; it is not sent
    the relayed events, whose content its answer (the ack) already carries.
    """
    layer = get_channel_layer()
    if layer is None:
        return not pending
    delivered = True
    for group, message in pending:
        if origin is not None and message.get("type") == "relay":
            message = {**message, "origin": origin}
        try:
            await _send_with_timeout(layer, group, message)
        except Exception as exc:  # best effort, as publish()
            layer_outage.failed(exc, doing=f"publishing to {group}")
            delivered = False
        else:
            layer_outage.ok()
    return delivered


def publish(group: str, message: dict) -> bool:
    """Send a channel-layer message to a group (a relay, a refresh, a close); False, logged,
    when the layer fails. The other functions here are this with the message built."""
    layer = get_channel_layer()
    if layer is None:
        return False
    pending = _collector.get()
    if pending is not None:
        pending.append((group, message))
        return True
    if relay.through_outbox(layer):  # embedded mode, outside daphne: its process relays it
        return relay.outbox_put(group, message)
    try:
        async_to_sync(_send_with_timeout)(layer, group, message)
    except Exception as exc:  # the layer is best effort: never fail the caller
        layer_outage.failed(exc, doing=f"publishing to {group}")
        return False
    layer_outage.ok()
    return True


def publish_to_agent(agent_id: int, event: dict) -> bool:
    """Relay event to every socket of one agent (no audience check needed: it is theirs)."""
    return publish(agent_group(agent_id), {"type": "relay", "event": event})


def publish_to_group(group_id: int, event: dict) -> bool:
    """Relay an ids-only event to the sockets of a group's members (e.g. post.created).

    Receivers re-fetch through access-checked endpoints; never put content here. Each
    socket checks that its agent is still active before relaying it (realtime.active).
    """
    return publish(group_group(group_id), {"type": "relay", "event": event, "active_only": True})


def publish_to_conversation(conversation_id: int, event: dict, *, audience) -> bool:
    """Relay event to the sockets subscribed to a conversation, for the agents in audience.

    audience: ids of the agents allowed to read the event, read from the database in the
    transaction that made the change; a socket whose agent is not in it drops the event.
    """
    return publish(
        conversation_group(conversation_id),
        {"type": "relay", "event": event, "audience": sorted(set(audience))},
    )


def subscriptions_refresh(agent_id: int) -> bool:
    """The agent's conversations or groups changed: their sockets re-read them at once."""
    return publish(agent_group(agent_id), {"type": "subscriptions.refresh"})


def group_subscriptions_refresh(group_id: int) -> bool:
    """Every socket of a group's members re-reads what it subscribes to (a new room)."""
    return publish(group_group(group_id), {"type": "subscriptions.refresh"})


def counts_refresh(agent_id: int) -> bool:
    """The agent's sockets recompute their unread counts and send them (`counts`)."""
    return publish(agent_group(agent_id), {"type": "counts.refresh"})


def publish_to_watchers(agent_id: int, event: dict) -> bool:
    """Relay event to the sockets that watch this agent (presence)."""
    return publish(presence_group(agent_id), {"type": "relay", "event": event})


def agent_disconnect(agent_id: int) -> bool:
    """Close every socket of an agent at once (deactivation of a leaver, ...).

    Call it after the agent's `is_active` is saved and committed: a socket that tries to
    reconnect is then refused at the handshake.
    """
    return publish(agent_group(agent_id), {"type": "socket.close", "code": 4403})


def session_disconnect(session_key: str) -> bool:
    return publish(session_group(session_key), {"type": "socket.close", "code": 4401})


def session_disconnect_on_logout(sender, request=None, user=None, **kwargs) -> None:
    """contrib.auth's user_logged_out receiver: close the sockets of that session."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        session_disconnect(session_key)


ORGANISATION_GROUP = "feed.organisation"


def publish_to_organisation(event: dict) -> bool:
    """Relay an ids-only event to every socket (posts for the whole organisation); as
    publish_to_group, to agents still active only."""
    return publish(ORGANISATION_GROUP, {"type": "relay", "event": event, "active_only": True})
