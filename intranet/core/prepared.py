"""Statements planned once per database connection, for the few hot ones (PostgreSQL).

Django's psycopg cursors bind parameters on the client: PostgreSQL parses and plans every
statement anew. For a statement run hundreds of times a second whose planning costs more
than its execution (the chat send path's CTE: about 0.4 ms to plan, 0.16 ms to run),
`prepared_cursor()` gives a Django cursor (logged like any other, raising Django's
exceptions) whose statements are bound on the server and prepared on their connection
the first time (psycopg keeps them per connection; a new connection prepares again).

The connection pool (intranet.core.database) lends the same few connections again and
again, so a statement is prepared a few times per process, not per request. Behind
PgBouncer in transaction mode, prepared statements need PgBouncer 1.21 or later with
`max_prepared_statements` set; with an older PgBouncer (Debian 12 ships 1.18), set
TRANSVERSE_DB_PREPARED_STATEMENTS=false and these statements run as any other
(docs/deploy.md, "Database connections").
"""

import functools
from contextlib import contextmanager

from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

ONLY_WHEN_ASKED = 2**31 - 1  # psycopg's prepare_threshold: prepare=True prepares at once


@functools.cache
def _prepared_cursor_class():
    import psycopg
    from django.db.backends.postgresql.base import ServerBindingCursor

    stale = (psycopg.errors.FeatureNotSupported, psycopg.errors.InvalidSqlStatementName)

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            try:
                return super().execute(query, params, prepare=True)
            except stale:
                # Prepared before a schema change ("cached plan must not change result
                # type", after a migration while the process ran) or dropped by a pooler:
                # the statement changed nothing. Outside a transaction, forget this
                # connection's prepared statements (psycopg clears its cache when it sees
                # DEALLOCATE ALL) and run it once more, prepared anew.
                idle = psycopg.pq.TransactionStatus.IDLE
                if self.connection.info.transaction_status != idle:
                    raise
                self.connection.execute("DEALLOCATE ALL")
                return super().execute(query, params, prepare=True)

    return PreparedCursor


class _DebugCursor(CursorDebugWrapper):
    """Logs the statement as written: psycopg keeps no text of a prepared one, which
    Django's debug cursor would have logged as None."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


@contextmanager
def prepared_cursor():
    """A cursor whose statements are prepared (PostgreSQL, unless turned off), else
    Django's usual cursor."""
    enabled = getattr(settings, "TRANSVERSE_DB_PREPARED_STATEMENTS", True)
    if connection.vendor != "postgresql" or not enabled:
        with connection.cursor() as cursor:
            yield cursor
        return
    # What BaseDatabaseWrapper.cursor() does, with our cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:
        # Django's setting (psycopg then never prepares). Its own cursors bind on the
        # client and never prepare, whatever the threshold: only ours, which ask.
        raw_connection.prepare_threshold = ONLY_WHEN_ASKED
    with connection.wrap_database_errors:
        raw = _prepared_cursor_class()(raw_connection)
    if connection.queries_logged:
        cursor = _DebugCursor(raw, connection)
    else:
        cursor = connection.make_cursor(raw)
    with cursor:
        yield cursor
