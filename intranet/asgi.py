"""ASGI entry point: HTTP through Django, WebSocket through realtime/ (daphne serves both).

Importing it also tunes the garbage collector for a long-lived socket server (below).
"""

import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")

from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from intranet.core import daphne_tuning  # noqa: E402

daphne_tuning.install()  # large uploads and downloads through daphne (its docstring)

from realtime.routing import application_for  # noqa: E402

application = application_for(django_application)

# A daphne process holds thousands of sockets, each a few hundred long-lived objects; with
# CPython's default thresholds (700, 10, 10) a full collection walked all of them every
# few seconds and paused the event loop for 130-230 ms (a message to a 1,000-member room
# then took 300-400 ms to reach everyone instead of ~100). The objects loaded at start-up
# (Django, the apps) are frozen out of the collector, and collections run less often:
# measured in bench/realtime (docs/realtime.md, "Garbage collector"). Nothing external
# waits for a collection: database connections go back to the process's pool when each
# request or command ends (intranet/core/database.py); when threads kept their own
# (CONN_MAX_AGE), each finished thread's connection stayed open until one (issue 15).
GC_THRESHOLDS = (50_000, 20, 100)
gc.collect()
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
