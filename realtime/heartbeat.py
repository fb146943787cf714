"""The presence heartbeat of this process: its live sockets stay "online" for one write.

A presence row is fresh for PRESENCE_TIMEOUT (90 s) after its `seen_at`. Rather than each
socket refreshing its own row (10,000 idle sockets would be hundreds of writes a
second), the consumer registers its channel name here once signed in, and one task per
process refreshes the rows of all of them every TRANSVERSE_PRESENCE_HEARTBEAT_SECONDS,
in a database thread (chat.services.presence_heartbeat: one UPDATE per 500 sockets, then
the sweep of expired rows). The task starts with the first socket, on the running loop;
a failed pass (the database is down) is logged once for the whole outage (then a summary
when the database is back: realtime.outage) and the next one comes a period later.

Each pass also closes the sockets of this process whose agent is no longer active (4403)
or whose session signs no one in any more (4401: signed out, expired, or past the site's
lifetimes, TRANSVERSE_SESSION_AGE and TRANSVERSE_SESSION_IDLE_SECONDS). Deactivation and
sign-out close them at once through the channel layer (accounts.services
.agents_sign_out, realtime.publish.session_disconnect_on_logout), but that message may be
lost (Redis away at that moment), an `update()` or raw SQL sends no signal, and a session
that merely expires sends nothing: whatever ended it, its sockets here close within a
period. It needs no channel layer: the sockets are this process's own.

Sockets and tasks are kept per event loop: a consumer is only touched from its own loop.
A server has one; a test process may run a test's loop beside an in-process daphne's
(tests/browser), whose heartbeat must neither beat nor close the test's sockets.
"""

import asyncio
import logging

from django.conf import settings

from realtime import actions
from realtime.outage import Outage
from realtime.threads import cancel_from_any_thread, in_db_thread

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401  # as realtime.consumers: signed out, or the session expired
CLOSE_FORBIDDEN = 4403  # as realtime.consumers: the agent was deactivated

# event loop → {channel name → its consumer (agent_id, scope, close())}
_live: dict[asyncio.AbstractEventLoop, dict[str, object]] = {}
database_outage = Outage(logger, "database (presence heartbeat)")
_tasks: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}


def period() -> float:
    """Seconds between two passes; well below the 90 s after which a row is stale."""
    return float(getattr(settings, "TRANSVERSE_PRESENCE_HEARTBEAT_SECONDS", 30))


def track(channel_name: str, socket) -> None:
    """A signed-in socket of this process: its row is refreshed until `untrack`; socket
    has the `agent_id`, `scope` and `close(code=)` of realtime.consumers.TransverseConsumer."""
    loop = asyncio.get_running_loop()
    _live.setdefault(loop, {})[channel_name] = socket
    task = _tasks.get(loop)
    if task is None or task.done():
        for closed in [other for other in _tasks if other.is_closed()]:
            del _tasks[closed]  # the loops of finished tests
        _tasks[loop] = loop.create_task(run(), name="presence-heartbeat")


def untrack(channel_name: str) -> None:
    for loop, sockets in list(_live.items()):
        if sockets.pop(channel_name, None) is not None and not sockets:
            del _live[loop]


def tracked() -> frozenset[str]:
    """The channel names whose rows the next pass (of this event loop) refreshes."""
    return frozenset(_live.get(asyncio.get_running_loop(), ()))


async def beat() -> int:
    """One pass over this event loop's sockets: refresh their rows (none: no database
    work), in a database thread as every command (threads.in_db_thread), then close
    the sockets of agents no longer active and of sessions that ended."""
    sockets = dict(_live.get(asyncio.get_running_loop(), {}))
    if not sockets:
        return 0
    refreshed = await in_db_thread(actions.heartbeat)(list(sockets))
    agents = {socket.agent_id for socket in sockets.values()}
    active = await in_db_thread(actions.active_agents)(agents)
    keys = {socket.scope.get("session_key") for socket in sockets.values()}
    ended = await in_db_thread(actions.ended_sessions)(keys)
    for socket in sockets.values():
        if socket.agent_id not in active:
            await socket.close(code=CLOSE_FORBIDDEN)
        elif socket.scope.get("session_key") in ended:
            await socket.close(code=CLOSE_UNAUTHORIZED)
    return refreshed


async def run() -> None:
    """Pass after pass, a period apart, until cancelled; a failure never ends it."""
    while True:
        await asyncio.sleep(period())
        try:
            await beat()
        except Exception as exc:
            database_outage.failed(exc, doing=f"next try every {period():g} s")
        else:
            database_outage.ok()


def stop() -> list[asyncio.Task]:
    """Cancel the task of every event loop and forget the sockets of closed loops (tests;
    a new socket starts its loop's task again). Returns the tasks of loops running in
    other threads (an in-process daphne's), cancelled once their loop takes the order."""
    tasks = list(_tasks.values())
    _tasks.clear()
    for loop in [loop for loop in _live if loop.is_closed()]:
        del _live[loop]
    return [task for task in tasks if cancel_from_any_thread(task)]
