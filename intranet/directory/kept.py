"""Directory connections kept open between sign-ins: one pair per thread.

A sign-in needs a search as the service account and a bind as the agent. Opening a
connection for each (TCP, StartTLS, the service account's bind) costs as much as both
operations, so each thread keeps two connections:

- the searcher, bound once as the service account, used only for searches;
- the checker, opened and secured but never bound as the service account: it only
  checks agents' passwords by binding as them, and never searches, so whose identity it
  holds after the last check gives nobody anything.

A kept connection that the server closed meanwhile (idle timeout, restart) fails its next
operation: it is then replaced at once and the operation tried again, once. One unused for
KEPT_IDLE_SECONDS is not trusted at all but replaced before use: a firewall that silently
dropped an idle connection would otherwise cost a whole receive timeout. Connections
belong to a process and a configuration: after a fork or a settings change new ones open.
"""

import os
import threading
import time

from ldap3 import Connection

from intranet.directory.config import DirectoryConfig
from intranet.directory.connection import (
    DirectoryUnavailable,
    directory_close,
    directory_connect,
    search_one,
    user_bind,
)

ROLES = ("searcher", "checker")
# Below the usual idle limits of directories (Active Directory: 15 minutes) and firewalls.
KEPT_IDLE_SECONDS = 240


class _Kept(threading.local):
    key: tuple | None = None
    searcher: Connection | None = None
    checker: Connection | None = None
    used_at: float = 0.0  # time.monotonic() of the last operation on either connection


_kept = _Kept()


def _key(config: DirectoryConfig) -> tuple:
    return (
        os.getpid(),
        config.urls,
        config.start_tls,
        config.ca_file,
        config.bind_dn,
        config.bind_password,
        config.connect_timeout,
        config.receive_timeout,
    )


def kept_connections_close() -> None:
    """Close this thread's kept connections (settings changed, tests, shutdown)."""
    for role in ROLES:
        _forget(role)
    _kept.key = None


def _forget(role: str) -> None:
    conn = getattr(_kept, role)
    setattr(_kept, role, None)
    if conn is not None:
        directory_close(conn)


def _connection(config: DirectoryConfig, role: str) -> tuple[Connection, bool]:
    """(connection, whether it was kept from before) for role."""
    key = _key(config)
    if _kept.key != key:
        kept_connections_close()
        _kept.key = key
    now = time.monotonic()
    if now - _kept.used_at > KEPT_IDLE_SECONDS:
        kept_connections_close()  # idle too long: maybe dropped silently on the way
        _kept.key = key
    _kept.used_at = now
    conn = getattr(_kept, role)
    if conn is not None and not conn.closed:
        return conn, True
    conn = directory_connect(config, bind=role == "searcher")
    setattr(_kept, role, conn)
    return conn, False


def _on_kept(config: DirectoryConfig, role: str, operation):
    conn, kept = _connection(config, role)
    try:
        return operation(conn)
    except DirectoryUnavailable:
        _forget(role)
        if not kept:
            raise
    # The kept connection had gone stale: one more try on a new one.
    conn, _kept_too = _connection(config, role)
    try:
        return operation(conn)
    except DirectoryUnavailable:
        _forget(role)
        raise


def kept_search_one(config: DirectoryConfig, search_filter: str):
    """search_one() under the user base, on this thread's service-account connection."""
    return _on_kept(
        config,
        "searcher",
        lambda conn: search_one(conn, config.user_base, search_filter, config.user_attributes()),
    )


def kept_user_bind(config: DirectoryConfig, dn: str, password: str) -> bool:
    """user_bind() on this thread's password-checking connection."""
    return _on_kept(config, "checker", lambda conn: user_bind(conn, dn, password))
