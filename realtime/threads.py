"""Where realtime runs its database work: the one rule for every socket-side call and
for the embedded relay's poll (below the socket side, so the relay needs no action);
and how a background task is cancelled from another thread."""

import asyncio

from channels.db import database_sync_to_async
from django.db import connection


def in_db_thread(function):
    """Run a command in a database thread, as `await in_db_thread(f)(...)`.

    On PostgreSQL, commands run in a pool of threads, so one socket's wait on the
    database overlaps another socket's work; a socket still handles its frames one at a
    time, in order. A thread holds no connection of its own: Channels closes stale
    connections before and after each command, which with CONN_MAX_AGE = 0 gives the
    command's connection back to the process's pool, checked when lent at most once a
    second (intranet.core.database), as for pages. SQLite has one writer: there, every
    command runs in Channels' single database thread.
    """
    return database_sync_to_async(function, thread_sensitive=connection.vendor == "sqlite")


def cancel_from_any_thread(task: asyncio.Task) -> bool:
    """Cancel a background task (the heartbeat's, the relay's) whatever thread runs its
    loop; True when that is another thread's running loop, which cancels it on its next
    round (asyncio's objects belong to their loop's thread): wait for `task.done()`."""
    loop = task.get_loop()
    if loop.is_closed():
        return False
    try:
        here = asyncio.get_running_loop() is loop
    except RuntimeError:
        here = False
    if loop.is_running() and not here:
        loop.call_soon_threadsafe(task.cancel)
        return True
    task.cancel()
    return False
