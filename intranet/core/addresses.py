"""The client's address behind trusted reverse proxies, as the sign-in throttle counts it
and the audit trail records it.

When REMOTE_ADDR is one of TRANSVERSE_TRUSTED_PROXIES, X-Forwarded-For is read from the
right, skipping trusted proxies, and the first other address is the client (what the
nearest proxy saw; every address to its left was written by the client and may be
forged). Without trusted proxies the header is ignored, so a client cannot choose its own
address by sending one. IPv6 clients are counted per /64 network, which one client
usually holds whole.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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
    client = client_ip(request)
    if client is None:
        return "unknown"
    if client.version == 6:
        return str(ipaddress.ip_network(f"{client}/64", strict=False))
    return str(client)


def client_ip(request):
    """The client's own IP address (an ipaddress object) as the module docstring reads
    it, or None when the request has no usable REMOTE_ADDR."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
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
    return client


def through_untrusted_proxy(request) -> bool:
    """Whether the request names a forwarded client that was not read (it came through
    a proxy absent from TRANSVERSE_TRUSTED_PROXIES, such as a local nginx): its
    REMOTE_ADDR is the proxy's, not the client's."""
    if not request.META.get("HTTP_X_FORWARDED_FOR") and not request.META.get("HTTP_FORWARDED"):
        return False
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.TRANSVERSE_TRUSTED_PROXIES
    return remote is None or not (proxies and _trusted(remote, proxies))
