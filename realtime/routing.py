"""The protocol router: HTTP to Django, WebSocket to the consumer of realtime/.

WebSocket connections are accepted only from this site's own origin and carry the
session of the signed-in agent. One socket per tab, at /ws/.

The WebSocket stack is flat: the router, the origin check and the session-key step are
plain callables that return the next application's coroutine instead of awaiting it.
Channels' ProtocolTypeRouter, OriginValidator, URLRouter and `as_asgi()` each await the
next one, so each kept a suspended frame (and URLRouter a copy of the scope) for the
whole life of every socket: about 4 KiB per idle socket, on a process meant to hold
10,000 of them (bench/realtime, figure (a)). The rules are Channels' own (the origin is
checked by its OriginValidator.valid_origin against ALLOWED_HOSTS); a refused socket is
closed by its WebsocketDenier.
"""

from http.cookies import SimpleCookie
from urllib.parse import urlparse

from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings

from realtime.consumers import TransverseConsumer

SOCKET_PATH = "/ws/"


def _session_key(scope) -> str | None:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookie = SimpleCookie()
            try:
                cookie.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is an anonymous socket
                return None
            morsel = cookie.get(settings.SESSION_COOKIE_NAME)
            return morsel.value if morsel else None
    return None


def _deny(scope, receive, send):
    return WebsocketDenier()(scope, receive, send)


class ProtocolRouter:
    """ASGI: each scope to the application of its type (HTTP, WebSocket)."""

    _asgi_single_callable = True  # for asgiref: an ASGI 3 application, not a factory

    def __init__(self, applications: dict):
        self.applications = applications

    def __call__(self, scope, receive, send):
        application = self.applications.get(scope["type"])
        if application is None:
            raise ValueError(f"No application for the protocol {scope['type']!r}")
        return application(scope, receive, send)


class SameOriginSocket(OriginValidator):
    """The origin check of Channels' AllowedHostsOriginValidator (its valid_origin), then
    the session key of the socket's cookie in the scope, then the consumer at /ws/.

    The session itself is checked by the consumer, in the same database round as the
    rest of its connection (realtime.actions.connect), after the handshake is accepted:
    a restarted server answers every handshake at once instead of queueing them behind
    database work (daphne drops handshakes not accepted within 5 s, and the retries
    make the storm worse). The consumer reads and sends nothing before the session is
    checked, and closes an unsigned socket with 4401. No session store or user object is
    kept in the scope of a socket for its lifetime.
    """

    _asgi_single_callable = True

    def __init__(self):
        allowed_hosts = settings.ALLOWED_HOSTS
        if settings.DEBUG and not allowed_hosts:  # as AllowedHostsOriginValidator
            allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
        super().__init__(TransverseConsumer, allowed_hosts)

    def __call__(self, scope, receive, send):
        path, root = scope.get("path", ""), scope.get("root_path", "")
        if root and path.startswith(root):  # served under a prefix (daphne --root-path)
            path = path[len(root) :]
        if scope["type"] != "websocket" or path != SOCKET_PATH:
            return _deny(scope, receive, send)
        origin = None
        for name, value in scope.get("headers", []):
            if name == b"origin":
                try:
                    origin = urlparse(value.decode("latin-1"))
                except ValueError:  # not a URL: no origin, refused below
                    origin = None
        if not self.valid_origin(origin):
            return _deny(scope, receive, send)
        scope = {**scope, "session_key": _session_key(scope)}
        return self.application()(scope, receive, send)


def application_for(django_application):
    return ProtocolRouter({"http": django_application, "websocket": SameOriginSocket()})
