"""WSGI entry point, for serving the pages through a WSGI server (gunicorn, uWSGI).

daphne (intranet.asgi) must still serve /ws/: WebSocket is ASGI only. Serving pages
through a WSGI server is much faster than through daphne (docs/realtime.md, Production).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
