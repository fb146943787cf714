"""The database settings built from the environment, and the connection pool's check.

PostgreSQL: connections come from one psycopg pool per process (Django's OPTIONS "pool"),
never kept per thread. Under daphne every request runs in a thread of its own and each
WebSocket command in one of a pool of threads; Django's persistent connections
(CONN_MAX_AGE) then left one connection per finished thread open until a garbage
collection, which intranet/asgi.py makes rare: one process reached 97 connections after
100 probes of /healthz (issue 15). With the pool, a request or a command takes a
connection at its first query and gives it back when it ends (CONN_MAX_AGE = 0), so a
process never holds more than TRANSVERSE_DB_POOL_SIZE (docs/deploy.md, "Database
connections"). TRANSVERSE_DB_POOL_SIZE=0 turns the pool off: a connection per request,
closed after it (for a PgBouncer that pools for every process).

SQLite (embedded mode, no DATABASE_URL): one file under var/, nothing to pool.
"""

import math
import select
import time
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from intranet.core.env import env_bool, env_float, env_int

ENGINE = "intranet.core.postgresql"  # Django's, whose pool checks as check_pooled() says
CHECK_SECONDS = 1.0  # a connection checked this recently is trusted (see check_pooled)


def database_settings(url: str, var_dir: Path) -> dict:
    """The DATABASES["default"] entry: PostgreSQL (pooled) from url, else SQLite."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": var_dir / "transverse.sqlite3",
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE transactions and
                # a busy timeout turn "database is locked" into a short wait.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    try:
        database = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    database["ENGINE"] = ENGINE
    database["CONN_MAX_AGE"] = 0  # the pool keeps connections, threads never do
    database["CONN_HEALTH_CHECKS"] = True
    # A cursor kept between transactions (Django's .iterator() outside atomic) cannot
    # survive PgBouncer's transaction mode, which lends another server connection.
    database["DISABLE_SERVER_SIDE_CURSORS"] = not env_bool(
        "TRANSVERSE_DB_SERVER_SIDE_CURSORS", True
    )
    pool = pool_options()
    if pool:
        database.setdefault("OPTIONS", {})["pool"] = pool
    return database


def pool_options() -> dict | None:
    """psycopg_pool's options from TRANSVERSE_DB_POOL_*; None when the pool is off (0)."""
    size = env_int("TRANSVERSE_DB_POOL_SIZE", 10, minimum=0)
    if size == 0:
        return None
    smallest = env_int("TRANSVERSE_DB_POOL_MIN_SIZE", min(2, size), minimum=0)
    if smallest > size:
        raise ImproperlyConfigured(
            f"TRANSVERSE_DB_POOL_MIN_SIZE must be at most TRANSVERSE_DB_POOL_SIZE ({size}), "
            f"not {smallest}."
        )
    return {
        "min_size": smallest,
        "max_size": size,
        # A request waits this long for a free connection, then fails (OperationalError:
        # a 503 for /healthz, "unavailable" for a WebSocket command).
        "timeout": env_float("TRANSVERSE_DB_POOL_TIMEOUT", 10.0, minimum=0.1),
        "name": "transverse",
    }


def pool_off(alias: str = "default") -> None:
    """Direct connections for this process, before its first query: for the worker.

    A pool serves the many threads of a daphne process. The worker runs one task at a
    time (and a heartbeat thread): a pool gives it nothing, and while PostgreSQL is away
    every query would wait the pool's whole time-out before failing, so the worker would
    learn of an outage (and log it, and record the task's failure) tens of seconds late.
    """
    from django.db import connections

    connections[alias].settings_dict.get("OPTIONS", {}).pop("pool", None)


def prepared_statements_enabled() -> bool:
    """TRANSVERSE_DB_PREPARED_STATEMENTS (default true): off behind a pooler that cannot
    keep them (PgBouncer in transaction mode before 1.21, or without
    max_prepared_statements); see intranet.core.prepared."""
    return env_bool("TRANSVERSE_DB_PREPARED_STATEMENTS", True)


def check_pooled(conn) -> None:
    """The pool's check of a connection it is about to lend (raises if it is broken).

    psycopg_pool's own check is a round trip per loan: for a WebSocket command that is
    as many round trips as the command itself on the send path. Here a connection
    checked less than CHECK_SECONDS ago is trusted, unless its socket has something to
    read while idle: a server that restarted or ended the session has sent its farewell
    (or closed the socket), which one select() sees at no cost, so a restart costs no
    failed request. A connection that died silently within the second fails its query
    once (a 500 or an "unavailable" frame that clients retry), and the pool replaces it.
    """
    now = time.monotonic()
    recent = now - getattr(conn, "transverse_checked_at", -math.inf) < CHECK_SECONDS
    if recent and not _has_pending_input(conn):
        return
    from psycopg_pool import ConnectionPool

    ConnectionPool.check_connection(conn)
    conn.transverse_checked_at = now


def _has_pending_input(conn) -> bool:
    """Whether the idle connection's socket is readable (or closed). poll(), not
    select(): a daphne process holding thousands of sockets has descriptors past
    select()'s limit of 1024."""
    poller = select.poll()
    try:
        poller.register(conn.fileno(), select.POLLIN)
    except Exception:  # closed (psycopg raises OperationalError): no descriptor left
        return True
    return bool(poller.poll(0))
