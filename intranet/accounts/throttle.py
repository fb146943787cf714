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

# Failures allowed per scope in its window, and the window (seconds): a lock-out lasts
# at most the window. The pair (account, address) is strict and long: a guesser at one
# address is held 15 minutes. The account alone is slower (more failures) and shorter,
# so that an attacker failing on purpose from many addresses keeps the agent out of
# every address for 5 minutes at most, while the agent's own address is never held by
# the attacker's pair. The address alone stops password spraying.
THROTTLE_LIMITS = {"pair": 5, "login": 20, "address": 50}
THROTTLE_WINDOWS = {"pair": 15 * 60, "login": 5 * 60, "address": 15 * 60}
THROTTLE_WINDOW = max(THROTTLE_WINDOWS.values())


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


def sign_in_failure_record(request, username: str) -> list[str]:
    """Count one failure; returns the scopes this failure has just locked (their count
    reached the limit now), for the audit trail."""
    now = int(time.time())
    scopes = {key: scope for scope, key in _throttle_keys(request, username).items()}
    # Sorted: concurrent failures sharing keys lock their rows in the same order.
    keys = sorted(scopes)
    params = [value for key in keys for value in (key, now + THROTTLE_WINDOWS[scopes[key]])]
    with connection.cursor() as cursor:
        cursor.execute(_count_sql(connection.vendor, len(keys)), [*params, now, now])
    _counts().objects.filter(expires__lte=now).delete()
    counts = _counts().objects.filter(key__in=keys).values_list("key", "failures")
    return sorted(
        scopes[key] for key, failures in counts if failures == THROTTLE_LIMITS[scopes[key]]
    )


def sign_in_success_record(request, username: str) -> None:
    keys = _throttle_keys(request, username)
    _counts().objects.filter(key__in=[keys["pair"], keys["login"]]).delete()
