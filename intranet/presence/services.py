"""Presence: one row per open socket, so online/away/offline is right across tabs and
processes; changes are announced after commit.

Opening and closing sockets is the hot path of a reconnect storm (every socket of a
restarted server comes back at once), so neither takes a transaction: connecting inserts
the socket's row and asks whether another active socket of the agent was already there
(on PostgreSQL in the one statement of realtime.sockets.socket_open, which also reads
what the socket subscribes to); closing deletes the row and reads what is left. While a
socket is open, its process refreshes the rows of all its sockets at once
(presence_heartbeat, run by realtime.heartbeat), not each socket its own row. Rows of
crashed processes are swept at most once a minute per process.
"""

import functools
import time

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from intranet.accounts.access import is_active_agent
from intranet.presence import events, selectors
from intranet.presence.models import Presence
from intranet.presence.selectors import other_active_sockets

STALE_SWEEP_SECONDS = 60.0
HEARTBEAT_BATCH = 500  # channel names per UPDATE: SQLite limits the parameters of a statement
_last_sweep = {"at": float("-inf")}


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def presence_announce(agent_id: int, state: str) -> None:
    """Publish the agent's new state after commit."""
    transaction.on_commit(lambda: events.presence_changed(agent_id, state))


def _presence_change(agent_id: int, change) -> str:
    before = selectors.presence_states([agent_id])[agent_id]
    change()
    after = selectors.presence_states([agent_id])[agent_id]
    if after != before:
        presence_announce(agent_id, after)
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
    if not other_active_sockets(actor.pk, channel_name, since).exists():
        presence_announce(actor.pk, "online")
    return "online"


@functools.cache
def upsert_sql(vendor: str) -> str:
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
        cursor.execute(upsert_sql(connection.vendor), [channel_name, agent_id, away, seen_at])


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
        presence_announce(agent_id, after)
    return after
