"""ASGI entry point: HTTP through Django, WebSocket through realtime/ (daphne serves both)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")

from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from realtime.routing import application_for  # noqa: E402

application = application_for(django_application)
