"""The WebSocket stack as Channels builds it, for bench/overrides/idle.py to compare with
realtime/routing.py's flat stack and TransverseConsumer's one-frame loop.

- `routing`: Channels' ProtocolTypeRouter, AllowedHostsOriginValidator, a session-key
  middleware that awaits the next application, URLRouter and `as_asgi()` (realtime/
  routing.py before e564994), around the site's consumer and its loop.
- `application`: the same routing around the consumer with Channels' own loop
  (AsyncConsumer.__call__ and await_many_dispatch, before 717a5bf).

Daphne serves `bench.overrides.channels_stack:application` (or `:routing`). Never used
by the site.
"""

from channels.consumer import AsyncConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from intranet.asgi import django_application  # Django set up, the collector tuned
from realtime.consumers import TransverseConsumer
from realtime.routing import _session_key


class ChannelsLoopConsumer(TransverseConsumer):
    """The site's consumer with Channels' dispatch loop (no drain of the layer's queue)."""

    __call__ = AsyncConsumer.__call__


class SessionKeyMiddleware:
    """The session key of the socket's cookie in the scope, awaiting the next application."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        return await self.app({**scope, "session_key": _session_key(scope)}, receive, send)


def _stack(consumer):
    return ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": AllowedHostsOriginValidator(
                SessionKeyMiddleware(URLRouter([path("ws/", consumer.as_asgi())]))
            ),
        }
    )


routing = _stack(TransverseConsumer)
application = _stack(ChannelsLoopConsumer)
