"""The agent signed in with a session key, for a WebSocket (realtime.actions.connect).

A page gets its agent from django.contrib.auth.get_user. A socket gets the same answer,
read with two prepared statements (the session row, then the user row) when the session
verifies against the current secret key: a restarted server checks thousands of sessions
at once, and get_user's two ORM queries cost about 1 ms of Python each time. In every
other case (no session or an expired one, a session signed with a fallback key, a hash
that does not match, an inactive account, another session engine or backend) get_user
itself answers, with its own rules (flush, key rotation). A session still waiting for its
second factor, or past the site's lifetimes (TRANSVERSE_SESSION_AGE after sign-in,
TRANSVERSE_SESSION_IDLE_SECONDS without a page: accounts.second_factor), has no agent for
a socket, as it has no page.
"""

import functools
import logging
import time
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user,
)
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from intranet.accounts.models import User
from intranet.accounts.second_factor import NEEDS as SECOND_FACTOR_NEEDED
from intranet.accounts.second_factor import session_expired
from intranet.core.prepared import prepared_cursor

logger = logging.getLogger(__name__)
DATABASE_SESSIONS = "django.contrib.sessions.backends.db"
# Backends whose get_user() is "the active user with this primary key".
USER_BY_PK_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend",
    "intranet.directory.backend.DirectoryBackend",
}


def session_agent(session_key: str | None) -> User | None:
    """The signed-in, active agent of a session key, checked as Django checks a page
    request (the session's auth hash, an active account), or None."""
    if not session_key:
        return None
    if settings.SESSION_ENGINE == DATABASE_SESSIONS:
        found = _verified_agent(session_key)
        if found is not None:
            agent, data = found
            return None if _refused(data) else agent
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        user = get_user(SimpleNamespace(session=store))
    except (AttributeError, ValueError, ValidationError):
        # A session naming a backend without get_user(), or a malformed user id: get_user
        # raises (a page would answer 500); for a socket it is not signed in.
        logger.warning("session %s… names no usable user", session_key[:6], exc_info=True)
        return None
    if not user.is_authenticated or _refused(store):
        return None
    return user


def _refused(session) -> bool:
    """A signed-in session that still opens no socket (realtime closes it as not signed
    in): one waiting for its second factor reaches no page but that factor's, and one
    past its lifetimes is signed out by the next page (SessionRulesMiddleware)."""
    return bool(session.get(SECOND_FACTOR_NEEDED)) or session_expired(session, int(time.time()))


def _verified_agent(session_key: str) -> tuple[User, dict] | None:
    """(the agent, the session's data) when everything verifies at first try; None sends
    the caller to get_user (which also decides every refusal)."""
    session_sql, user_sql, user_fields = _statements(connection.vendor)
    with prepared_cursor() as cursor:
        cursor.execute(session_sql, [session_key, timezone.now()])
        row = cursor.fetchone()
    if row is None:
        return None
    data = DatabaseSessionStore().decode(row[0])  # Django's decoding: {} when tampered
    backend, session_hash = data.get(BACKEND_SESSION_KEY), data.get(HASH_SESSION_KEY)
    if backend not in USER_BY_PK_BACKENDS or backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    try:
        user_id = User._meta.pk.to_python(data[SESSION_KEY])
    except (KeyError, ValidationError):
        return None
    with prepared_cursor() as cursor:
        cursor.execute(user_sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    user = User.from_db(connection.alias, user_fields, row)
    if not user.is_active or not session_hash:
        return None
    if not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return None
    return user, data


@functools.cache
def _statements(vendor: str) -> tuple[str, str, list[str]]:
    """(the session's SQL, the user's SQL, the user's field names), built once."""
    quote = connection.ops.quote_name
    session_table = quote(Session._meta.db_table)
    data, key, expires = (
        quote(Session._meta.get_field(name).column)
        for name in ("session_data", "session_key", "expire_date")
    )
    session_sql = f"SELECT {data} FROM {session_table} WHERE {key} = %s AND {expires} > %s"  # noqa: S608
    fields = User._meta.concrete_fields
    columns = ", ".join(quote(field.column) for field in fields)
    user_sql = (
        f"SELECT {columns} FROM {quote(User._meta.db_table)} "  # noqa: S608
        f"WHERE {quote(User._meta.pk.column)} = %s"
    )
    return session_sql, user_sql, [field.attname for field in fields]
