"""The protocol router: HTTP to Django, WebSocket to the consumers of realtime/.

WebSocket connections are accepted only from this site's own origin and carry the
session of the signed-in agent. One socket per tab, at /ws/.
"""

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from realtime.consumers import TransverseConsumer

websocket_urlpatterns: list = [
    path("ws/", TransverseConsumer.as_asgi()),
]


def application_for(django_application):
    return ProtocolTypeRouter(
        {
            "http": django_application,
            "websocket": AllowedHostsOriginValidator(
                AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
            ),
        }
    )
