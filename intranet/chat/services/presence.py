"""Presence: one row per open socket, so online/away/offline is right across tabs and
processes; changes are announced after commit.

Opening and closing sockets is the hot path of a reconnect storm (every socket of a
restarted server comes back at once), so neither takes a transaction: connecting inserts
the socket's row and asks whether another active socket of the agent was already there
(on PostgreSQL in the one statement of socket_open, which also reads what the socket
subscribes to); closing deletes the row and reads what is left. While a
socket is open, its process refreshes the rows of all its sockets at once
(presence_heartbeat, run by realtime.heartbeat), not each socket its own row. Rows of
crashed processes are swept at most once a minute per process.
"""

import datetime
import functools
import time

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from intranet.accounts.models import User
from intranet.chat import access, events, selectors
from intranet.chat.models import Presence
from intranet.chat.services.conversations import group_rooms_ensure
from intranet.core.prepared import prepared_cursor
from intranet.groups.access import is_active_agent, member_group_ids
from intranet.groups.models import Membership

STALE_SWEEP_SECONDS = 60.0
HEARTBEAT_BATCH = 500  # channel names per UPDATE: SQLite limits the parameters of a statement
_last_sweep = {"at": float("-inf")}


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _announce(agent_id: int, state: str) -> None:
    transaction.on_commit(lambda: events.presence_changed(agent_id, state))


def _presence_change(agent_id: int, change) -> str:
    before = selectors.presence_states([agent_id])[agent_id]
    change()
    after = selectors.presence_states([agent_id])[agent_id]
    if after != before:
        _announce(agent_id, after)
    return after


def presence_sweep(*, force: bool = False) -> int:
    """Delete the rows whose heartbeat is older than the timeout (sockets of a process
    that died without closing them), at most once every STALE_SWEEP_SECONDS per process
    unless forced. presence_states ignores such rows anyway: this only keeps the table
    small. Returns the number of rows deleted."""
    now = time.monotonic()
    if not force and now - _last_sweep["at"] < STALE_SWEEP_SECONDS:
        return 0
    _last_sweep["at"] = now
    stale = timezone.now() - selectors.PRESENCE_TIMEOUT
    deleted, _ = Presence.objects.filter(seen_at__lt=stale).delete()
    return deleted


def presence_heartbeat(channel_names) -> int:
    """Mark the rows of these sockets (the live sockets of one process) as seen now, then
    sweep expired rows (presence_sweep: at most once a minute per process). Returns the
    number of rows refreshed.

    One UPDATE per HEARTBEAT_BATCH names, each its own short statement (no transaction:
    nothing to keep consistent between batches, and no lock held across them). A socket
    whose row is gone is not given a new one: the names are a snapshot taken before this
    runs, so recreating rows could bring back the row of a socket that closed meanwhile
    (or of an agent deactivated meanwhile), a ghost "online" for the timeout. A row is
    gone only if this process could not reach the database for longer than the timeout
    and another process swept it; the socket's next `presence` action gives it its row
    again (presence_update). No event is published: expiry is silent too.
    """
    names = list(channel_names)
    now = timezone.now()
    refreshed = 0
    for start in range(0, len(names), HEARTBEAT_BATCH):
        batch = names[start : start + HEARTBEAT_BATCH]
        refreshed += Presence.objects.filter(channel_name__in=batch).update(seen_at=now)
    presence_sweep()
    return refreshed


def presence_connect(actor, channel_name: str) -> str:
    """A new socket of actor: always "online"; announced when no other active socket of
    theirs was fresh (they were away or offline)."""
    _require(is_active_agent(actor))
    presence_sweep()
    now = timezone.now()
    _upsert(actor.pk, channel_name, away=False, seen_at=now)
    since = now - selectors.PRESENCE_TIMEOUT
    if not _other_active_sockets(actor.pk, channel_name, since).exists():
        _announce(actor.pk, "online")
    return "online"


def _other_active_sockets(agent_id: int, channel_name: str, since):
    """The agent's other sockets, active (not away) and seen since `since`."""
    return Presence.objects.filter(agent_id=agent_id, away=False, seen_at__gte=since).exclude(
        channel_name=channel_name
    )


# Stand-ins for the values of the statement socket_open compiles once per process.
_AGENT = -(2**62) + 11
_CHANNEL = "socket-open:stand-in:channel"
_NOW = datetime.datetime(1901, 1, 1, 0, 0, 1, tzinfo=datetime.UTC)
_SINCE = datetime.datetime(1901, 1, 1, 0, 0, 2, tzinfo=datetime.UTC)


def socket_open(actor, channel_name: str) -> tuple[set[int], set[int]]:
    """A new socket of actor: (conversation ids, group ids) it listens to (what
    selectors.subscription_targets gives) and its presence (presence_connect).

    On PostgreSQL, one prepared statement does it all: the presence row's upsert, the
    agent's groups, the conversations the access model lets them read
    (access.visible_conversations, compiled once per process with a stand-in agent) and
    whether another active socket of theirs was there. A reconnect storm runs this once
    per socket: the ORM's five statements cost ~2 ms of Python each time, this ~0.2.
    Rooms of new groups are created as before (group_rooms_ensure), and then the
    conversations are read again.
    """
    if connection.vendor != "postgresql":
        group_ids = member_group_ids(actor)
        group_rooms_ensure(actor, group_ids=group_ids, cached=True)
        conversations, groups = selectors.subscription_targets(actor, group_ids=group_ids)
        presence_connect(actor, channel_name)
        return conversations, groups
    _require(is_active_agent(actor))
    presence_sweep()
    now = timezone.now()
    sql, params = _socket_open_sql(connection.vendor)
    given = {
        _AGENT: actor.pk,
        _CHANNEL: channel_name,
        _NOW: now,
        _SINCE: now - selectors.PRESENCE_TIMEOUT,
    }
    with prepared_cursor() as cursor:
        cursor.execute(sql, [given.get(value, value) for value in params])
        group_ids, conversation_ids, others_online = cursor.fetchone()
    if group_rooms_ensure(actor, group_ids=group_ids, cached=True):
        conversation_ids, _groups = selectors.subscription_targets(actor, group_ids=group_ids)
    if not others_online:
        _announce(actor.pk, "online")
    return set(conversation_ids), set(group_ids)


@functools.cache
def _socket_open_sql(vendor: str) -> tuple[str, tuple]:
    """socket_open's statement and its parameters, with stand-ins for the agent, the
    channel name and the times (every value is a parameter)."""
    stand_in = User(pk=_AGENT, is_active=True)
    groups = Membership.objects.filter(agent_id=_AGENT).values("group_id")
    visible = access.visible_conversations(stand_in, group_ids=groups).values("pk")
    groups_sql, groups_params = groups.query.sql_with_params()
    visible_sql, visible_params = visible.query.sql_with_params()
    others = _other_active_sockets(_AGENT, _CHANNEL, _SINCE).values("pk")[:1]
    others_sql, others_params = others.query.sql_with_params()
    sql = (
        f"WITH up AS ({_upsert_sql(vendor)}) SELECT ARRAY({groups_sql}), "
        f"ARRAY({visible_sql}), EXISTS({others_sql})"
    )
    params = (_CHANNEL, _AGENT, False, _NOW, *groups_params, *visible_params, *others_params)
    for needed in (_AGENT, _CHANNEL, _NOW, _SINCE):
        if needed not in params:
            raise RuntimeError("socket_open's statement lost one of its parameters")
    return sql, params


@functools.cache
def _upsert_sql(vendor: str) -> str:
    """INSERT … ON CONFLICT (channel_name) DO UPDATE, which PostgreSQL and SQLite share.

    One statement and no transaction of its own: bulk_create(update_conflicts=True) took
    a transaction (two more round trips) and compiled the statement on every socket
    opened, the hot path of a reconnect storm."""
    quote = connection.ops.quote_name
    fields = [
        Presence._meta.get_field(name) for name in ("channel_name", "agent", "away", "seen_at")
    ]
    columns = [quote(field.column) for field in fields]
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
    return (
        f"INSERT INTO {quote(Presence._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s) ON CONFLICT ({columns[0]}) DO UPDATE SET {updates}"
    )


def _upsert(agent_id: int, channel_name: str, *, away: bool, seen_at) -> None:
    seen_at = connection.ops.adapt_datetimefield_value(seen_at)
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(connection.vendor), [channel_name, agent_id, away, seen_at])


@transaction.atomic
def presence_update(actor, channel_name: str, *, away: bool | None = None) -> str:
    """A heartbeat (away None) or a change between active and away for one socket.

    A socket whose row was swept (its heartbeats stopped for longer than the timeout,
    then came back) gets its row again."""
    _require(is_active_agent(actor))
    now = timezone.now()
    fields = {"seen_at": now}
    if away is not None:
        fields["away"] = bool(away)

    def change():
        rows = Presence.objects.filter(channel_name=channel_name, agent_id=actor.pk)
        if not rows.update(**fields):
            _upsert(actor.pk, channel_name, away=bool(away), seen_at=now)

    return _presence_change(actor.pk, change)


def presence_disconnect(agent_id: int, channel_name: str) -> str | None:
    """A socket closed: its agent's state afterwards, announced when it changed. None
    when the socket had no row (already swept, or closed twice).

    Closing a socket never makes anyone more present, so the state before follows from
    the state after and the row deleted: "online" after was "online" before; "away"
    after changed only if the closed socket was active; "offline" after is announced
    (a repeat, harmless, when the closed row had already expired)."""
    fresh = timezone.now() - selectors.PRESENCE_TIMEOUT
    rows = Presence.objects.filter(channel_name=channel_name)
    active, _ = rows.filter(away=False, seen_at__gte=fresh).delete()
    if not active:
        other, _ = rows.delete()
        if not other:
            return None
    after = selectors.presence_states([agent_id])[agent_id]
    if after == "offline" or (after == "away" and active):
        _announce(agent_id, after)
    return after
