"""The sign-in throttle: failed attempts counted per login, per address and per both.

The address is the client's, not the reverse proxy's: when REMOTE_ADDR is one of
TRANSVERSE_TRUSTED_PROXIES, X-Forwarded-For is read from the right, skipping trusted
proxies, and the first other address is the client (what the nearest proxy saw; every
address to its left was written by the client and may be forged). Without trusted
proxies the header is ignored, so a client cannot choose its own address by sending one.
IPv6 clients are counted per /64 network, which one client usually holds whole.

Counts live in the database (SignInFailureCount), not in the cache: the throttle holds
while Redis is away (a cache that answers "no failures" would lift it for an attacker
who waits for an outage), across processes, and over restarts. Each failure is one
INSERT ... ON CONFLICT of three rows; a failed sign-in already costs a password hash,
so the write adds little. Rows of ended windows are deleted by later failures.
"""

import functools
import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

# (scope, failures allowed per window). The window is short, so that an attacker who
# fails on purpose can only keep a victim out for minutes, and only from the login scope.
THROTTLE_WINDOW = 15 * 60
THROTTLE_LIMITS = {"pair": 5, "login": 20, "address": 50}
# X-Forwarded-For entries read at most (right to left): real chains have a few proxies.
MAX_FORWARDED_HOPS = 16


def parse_trusted_proxies(raw: list[str], name: str) -> tuple:
    """'10.0.0.1, 192.168.0.0/24, ::1' -> networks; ImproperlyConfigured names a bad one."""
    networks = []
    for item in raw:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks (10.0.0.1, 10.0.0.0/24), not {item!r}."
            ) from None
    return tuple(networks)


def _address(text: str):
    """An IP address from a header or REMOTE_ADDR value, ports and brackets allowed."""
    text = text.strip()
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address, proxies) -> bool:
    return any(address in network for network in proxies)


def client_address(request) -> str:
    """The address a sign-in is counted against (see the module docstring)."""
    if request is None:
        return "unknown"
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return "unknown"
    proxies = settings.TRANSVERSE_TRUSTED_PROXIES
    client = remote
    if proxies and _trusted(remote, proxies):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = forwarded.rsplit(",", MAX_FORWARDED_HOPS)[-MAX_FORWARDED_HOPS:]
        for hop in reversed(hops):
            address = _address(hop)
            if address is None:
                break  # not written by a proxy of ours: count against the last one that is
            client = address
            if not _trusted(address, proxies):
                break
    if client.version == 6:
        return str(ipaddress.ip_network(f"{client}/64", strict=False))
    return str(client)


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
