"""The protocol router: HTTP to Django, WebSocket to the consumers of realtime/.

WebSocket connections are accepted only from this site's own origin and carry the
session of the signed-in agent.
"""

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator

websocket_urlpatterns: list = []


def application_for(django_application):
    return ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
