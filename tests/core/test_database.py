"""intranet.core.database: PostgreSQL connections from a pool per process (never kept per
thread), sized by TRANSVERSE_DB_POOL_*, and the pool's check: at most once a second per
connection, at once when the server has ended the session."""

import select
import time

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from intranet.core import database

URL = "postgres://transverse@db.example.fr:5432/transverse"


@pytest.fixture(autouse=True)
def _no_pool_variables(monkeypatch):
    for name in ("POOL_SIZE", "POOL_MIN_SIZE", "POOL_TIMEOUT", "SERVER_SIDE_CURSORS"):
        monkeypatch.delenv(f"TRANSVERSE_DB_{name}", raising=False)


def test_postgresql_connections_come_from_a_pool_and_are_never_kept(tmp_path):
    settings = database.database_settings(URL, tmp_path)
    assert settings["ENGINE"] == "intranet.core.postgresql"
    assert settings["CONN_MAX_AGE"] == 0
    assert settings["CONN_HEALTH_CHECKS"] is True
    pool = settings["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (2, 10, 10.0)


def test_pool_size_and_timeout_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSVERSE_DB_POOL_SIZE", "25")
    monkeypatch.setenv("TRANSVERSE_DB_POOL_MIN_SIZE", "5")
    monkeypatch.setenv("TRANSVERSE_DB_POOL_TIMEOUT", "2.5")
    pool = database.database_settings(URL, tmp_path)["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (5, 25, 2.5)


def test_a_pool_of_one_keeps_at_most_one(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSVERSE_DB_POOL_SIZE", "1")
    pool = database.database_settings(URL, tmp_path)["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"]) == (1, 1)


def test_pool_size_zero_closes_each_connection_after_its_request(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSVERSE_DB_POOL_SIZE", "0")
    settings = database.database_settings(URL, tmp_path)
    assert "pool" not in settings.get("OPTIONS", {})
    assert settings["CONN_MAX_AGE"] == 0


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRANSVERSE_DB_POOL_SIZE", "ten", "TRANSVERSE_DB_POOL_SIZE must be a whole number"),
        ("TRANSVERSE_DB_POOL_SIZE", "-1", "TRANSVERSE_DB_POOL_SIZE must be at least 0"),
        ("TRANSVERSE_DB_POOL_MIN_SIZE", "11", "TRANSVERSE_DB_POOL_MIN_SIZE must be at most"),
        ("TRANSVERSE_DB_POOL_TIMEOUT", "0", "TRANSVERSE_DB_POOL_TIMEOUT must be at least 0.1"),
    ],
)
def test_bad_pool_values_name_their_variable(tmp_path, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        database.database_settings(URL, tmp_path)


def test_server_side_cursors_can_be_turned_off_for_a_transaction_pooler(tmp_path, monkeypatch):
    assert database.database_settings(URL, tmp_path)["DISABLE_SERVER_SIDE_CURSORS"] is False
    monkeypatch.setenv("TRANSVERSE_DB_SERVER_SIDE_CURSORS", "false")
    assert database.database_settings(URL, tmp_path)["DISABLE_SERVER_SIDE_CURSORS"] is True


def test_embedded_mode_is_sqlite_without_a_pool(tmp_path):
    settings = database.database_settings("", tmp_path)
    assert settings["ENGINE"] == "django.db.backends.sqlite3"
    assert "pool" not in settings["OPTIONS"]


# --- The pool's check, on a real connection ---------------------------------------------


@pytest.fixture
def server_connection(db):
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's (DATABASE_URL)")
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    conn = psycopg.connect(**params, autocommit=True)
    yield conn
    conn.close()


@pytest.fixture
def round_trips(monkeypatch):
    """How many times check_pooled asked the server (psycopg_pool's own check)."""
    from psycopg_pool import ConnectionPool

    calls = []
    real = ConnectionPool.check_connection
    monkeypatch.setattr(ConnectionPool, "check_connection", lambda conn: calls.append(real(conn)))
    return calls


def test_a_connection_is_checked_at_most_once_a_second(server_connection, round_trips):
    for _ in range(5):
        database.check_pooled(server_connection)
    assert len(round_trips) == 1
    server_connection.transverse_checked_at -= database.CHECK_SECONDS + 0.1
    database.check_pooled(server_connection)
    assert len(round_trips) == 2


def test_a_connection_the_server_ended_fails_its_check_at_once(server_connection):
    """A restart or a terminated session: the server's farewell waits on the socket, so
    the pool replaces the connection instead of lending it to a request that would fail."""
    database.check_pooled(server_connection)  # checked: trusted for a second
    pid = server_connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    poller = select.poll()
    poller.register(server_connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + 10
    while not poller.poll(100):  # the server's farewell reaches the socket
        assert time.monotonic() < deadline, "the server never ended the session"
    with pytest.raises(psycopg.OperationalError):
        database.check_pooled(server_connection)


def test_djangos_pool_uses_the_check(db):
    """The backend puts check_pooled in the pool Django builds (psycopg_pool keeps its check
    in `_check`; were that to change, its own check would stay: this test says so)."""
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's (DATABASE_URL)")
    from intranet.core.postgresql.base import DatabaseWrapper

    settings = {**connection.settings_dict, "OPTIONS": {"pool": database.pool_options()}}
    wrapper = DatabaseWrapper(settings, alias="pool_probe")
    try:
        wrapper.ensure_connection()
        assert wrapper.pool._check is database.check_pooled
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        wrapper.close()
        wrapper.close_pool()


def test_a_closed_connection_fails_its_check(server_connection):
    database.check_pooled(server_connection)
    server_connection.close()
    with pytest.raises(psycopg.OperationalError):
        database.check_pooled(server_connection)
