"""Where realtime runs its database work: the one rule for every socket-side call and
for the embedded relay's poll (below the socket side, so the relay needs no action)."""

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
