"""Log lines that can be read across processes and machines: ISO 8601 times with their
offset, and the id of the HTTP request each line belongs to.

`RequestIdMiddleware` gives every HTTP request an id: the reverse proxy's `X-Request-ID`
when the request comes from one of TRANSVERSE_TRUSTED_PROXIES and the value is
well-formed, a new random one otherwise (a client must not choose the id a line is filed
under, nor write newlines into the log through it). The id is sent back in the
`X-Request-ID` response header and put on every log record of the request by
`RequestIdFilter` (through a context variable, so it follows the request into the threads
Django runs it in). Records outside a request carry "-".
"""

import ipaddress
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"
# What a proxy's id may look like: nginx's $request_id is 32 hex digits, others send UUIDs.
# Anything else (newlines, spaces, kilobytes) is replaced, never cleaned up and kept.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")

request_id_var: ContextVar[str] = ContextVar("transverse_request_id", default=NO_REQUEST)


def new_request_id() -> str:
    return secrets.token_hex(16)


def _from_trusted_proxy(request) -> bool:
    proxies = getattr(settings, "TRANSVERSE_TRUSTED_PROXIES", ())
    if not proxies:
        return False
    try:
        remote = ipaddress.ip_address((request.META.get("REMOTE_ADDR") or "").strip())
    except ValueError:
        return False
    if remote.version == 6 and remote.ipv4_mapped:
        remote = remote.ipv4_mapped
    return any(remote in network for network in proxies)


def request_id_for(request) -> str:
    """The proxy's id if it may be trusted and is well-formed, else a new one."""
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    if offered and _from_trusted_proxy(request) and REQUEST_ID_PATTERN.fullmatch(offered):
        return offered
    return new_request_id()


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that every line logged while serving the request has it.

    The id is not reset when the response leaves the middleware: Django writes its
    "Not Found" and error lines after the whole chain has returned, and those must carry
    it too. `request_id_forget` (on request_started and request_finished) clears it, so a
    thread that serves the next request, or none, never logs under a stale id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request)
        request.request_id = request_id
        request_id_var.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def request_id_forget(**kwargs) -> None:
    """Receiver of request_started and request_finished (connected in core.apps)."""
    request_id_var.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (on a handler: records of every logger pass)."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()
        return True


class IsoFormatter(logging.Formatter):
    """Times as ISO 8601 with milliseconds and the offset (2026-12-07T10:30:12.345+01:00),
    in time_zone (the site's, TRANSVERSE_TIME_ZONE), so that lines stay unambiguous
    across daylight saving changes and between machines."""

    def __init__(self, *args, time_zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(time_zone)

    def formatTime(self, record, datefmt=None):
        moment = datetime.fromtimestamp(record.created, tz=self.zone)
        return moment.isoformat(timespec="milliseconds")

    def format(self, record):
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get()  # a handler without the filter
        return super().format(record)
