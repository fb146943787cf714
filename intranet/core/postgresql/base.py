"""Django's PostgreSQL backend, whose connection pool checks a connection at most once a
second (intranet.core.database.check_pooled) instead of a round trip per loan.

Django builds the pool itself (OPTIONS "pool") with psycopg_pool's check when
CONN_HEALTH_CHECKS is on, and accepts no check of our own in the options: ours replaces
it once the pool exists. Should psycopg_pool keep its check elsewhere one day, its own
check stays in place: slower, never unchecked (tests/core/test_database.py notices).
"""

from django.db.backends.postgresql import base

from intranet.core.database import check_pooled


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        if pool is not None and getattr(pool, "_check", None) not in (None, check_pooled):
            pool._check = check_pooled
        return pool
