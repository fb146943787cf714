"""Settings of a worker process started by a fault test: the test's own database.

On SQLite the test database is a file named by TRANSVERSE_TEST_SQLITE, opened with the
embedded settings (WAL, immediate transactions); on PostgreSQL DATABASE_URL names it.
"""

import os

from intranet.settings import *  # noqa: F403

if os.environ.get("TRANSVERSE_TEST_SQLITE"):
    DATABASES["default"]["NAME"] = os.environ["TRANSVERSE_TEST_SQLITE"]  # noqa: F405
