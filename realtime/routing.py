"""The protocol router: HTTP to Django, WebSocket to the consumers of realtime/.

WebSocket connections are accepted only from this site's own origin and carry the
session of the signed-in agent. One socket per tab, at /ws/.
"""

from http.cookies import SimpleCookie

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.conf import settings
from django.urls import path

from realtime.consumers import TransverseConsumer

websocket_urlpatterns: list = [
    path("ws/", TransverseConsumer.as_asgi()),
]


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


class SessionKeyMiddleware:
    """Puts the session key of the socket's cookie in the scope, and nothing else.

    The session itself is checked by the consumer, in the same database round as the
    rest of its connection (realtime.commands.connect), after the handshake is accepted:
    a restarted server answers every handshake at once instead of queueing them behind
    database work (daphne drops handshakes not accepted within 5 s, and the retries
    make the storm worse). The consumer reads and sends nothing before the session is
    checked, and closes an unsigned socket with 4401. No session store or user object is
    kept in the scope of a socket for its lifetime.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        return await self.app({**scope, "session_key": _session_key(scope)}, receive, send)


def application_for(django_application):
    return ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": AllowedHostsOriginValidator(
                SessionKeyMiddleware(URLRouter(websocket_urlpatterns))
            ),
        }
    )
