"""The protocol router: HTTP to Django, WebSocket to the consumers of realtime/.

WebSocket connections are accepted only from this site's own origin and carry the
session of the signed-in agent. One socket per tab, at /ws/.
"""

from http.cookies import SimpleCookie
from importlib import import_module
from types import SimpleNamespace

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.conf import settings
from django.contrib.auth import get_user
from django.urls import path

from realtime.consumers import TransverseConsumer, in_db_thread
from realtime.publish import session_group

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


def _agent_of_session(session_key: str | None) -> int | None:
    """The signed-in agent of a session, checked as Django checks a page request (the
    session's auth hash, an active account), or None."""
    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = get_user(SimpleNamespace(session=store))
    return user.pk if user.is_authenticated else None


class SessionAgentMiddleware:
    """Session authentication for sockets that keeps only ids in the scope.

    Channels' AuthMiddlewareStack leaves the session store and the user object in the
    scope of every socket for its whole life; a socket here needs only its agent's id and
    its session's channel-layer group (closed on sign-out), which saves memory on servers
    holding thousands of idle sockets. The consumer reads everything else fresh.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        key = _session_key(scope)
        agent_id = await in_db_thread(_agent_of_session)(key)
        scope = {
            **scope,
            "agent_id": agent_id,
            "session_group": session_group(key) if agent_id and key else None,
        }
        return await self.app(scope, receive, send)


def application_for(django_application):
    return ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": AllowedHostsOriginValidator(
                SessionAgentMiddleware(URLRouter(websocket_urlpatterns))
            ),
        }
    )
