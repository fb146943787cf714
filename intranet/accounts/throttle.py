"""The sign-in throttle: failed attempts counted per login, per address and per both.

The address is the client's, not the reverse proxy's (intranet.core.addresses, which the
audit trail shares): X-Forwarded-For only from TRANSVERSE_TRUSTED_PROXIES, IPv6 per /64.

Counts live in the database (SignInFailureCount), not in the cache: the throttle holds
while Redis is away (a cache that answers "no failures" would lift it for an attacker
who waits for an outage), across processes, and over restarts. Each failure is one
INSERT ... ON CONFLICT of three rows; a failed sign-in already costs a password hash,
so the write adds little. Rows of ended windows are deleted by later failures.
"""

import functools
import hashlib
import time

from django.db import connection

# client_address and parse_trusted_proxies live in intranet.core.addresses (the audit
# trail, below accounts, records the same address); they are re-exported here.
from intranet.core.addresses import client_address, parse_trusted_proxies

__all__ = ["THROTTLE_LIMITS", "client_address", "parse_trusted_proxies"]

# (scope, failures allowed per window). The window is short, so that an attacker who
# fails on purpose can only keep a victim out for minutes, and only from the login scope.
THROTTLE_WINDOW = 15 * 60
THROTTLE_LIMITS = {"pair": 5, "login": 20, "address": 50}


def _throttle_keys(request, username: str) -> dict[str, str]:
    login = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    address = client_address(request)
    return {
        "pair": f"pair:{login}:{address}",
        "login": f"login:{login}",
        "address": f"address:{address}",
    }


def _counts():
    # Imported when used: settings import this module (parse_trusted_proxies) before
    # the apps, and so their models, are loaded.
    from intranet.accounts.models import SignInFailureCount

    return SignInFailureCount


def sign_in_throttled(request, username: str) -> bool:
    keys = _throttle_keys(request, username)
    counts = dict(
        _counts()
        .objects.filter(key__in=keys.values(), expires__gt=int(time.time()))
        .values_list("key", "failures")
    )
    return any(counts.get(key, 0) >= THROTTLE_LIMITS[scope] for scope, key in keys.items())


@functools.cache
def _count_sql(vendor: str, rows: int) -> str:
    """Count one failure for each of rows keys; a key whose window ended starts anew."""
    quote, model = connection.ops.quote_name, _counts()
    table = quote(model._meta.db_table)
    key, failures, expires = (
        quote(model._meta.get_field(name).column) for name in ("key", "failures", "expires")
    )
    running = f"{table}.{expires} > %s"
    return (
        f"INSERT INTO {table} ({key}, {failures}, {expires}) VALUES "  # noqa: S608
        + ", ".join(["(%s, 1, %s)"] * rows)
        + f" ON CONFLICT ({key}) DO UPDATE SET "
        f"{failures} = CASE WHEN {running} THEN {table}.{failures} + 1 ELSE 1 END, "
        f"{expires} = CASE WHEN {running} THEN {table}.{expires} ELSE excluded.{expires} END"
    )


def sign_in_failure_record(request, username: str) -> None:
    now = int(time.time())
    # Sorted: concurrent failures sharing keys lock their rows in the same order.
    keys = sorted(set(_throttle_keys(request, username).values()))
    params = [value for key in keys for value in (key, now + THROTTLE_WINDOW)]
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(connection.vendor, len(keys)), [*params, now, now])
    _counts().objects.filter(expires__lte=now).delete()


def sign_in_success_record(request, username: str) -> None:
    keys = _throttle_keys(request, username)
    _counts().objects.filter(key__in=[keys["pair"], keys["login"]]).delete()
