"""What Transverse writes over a library's internals, and the version each was written for.

Each entry is a place that subclasses a library's private classes, replaces one of its
methods or reaches into its attributes (docs/overrides.md says what each replaces, the
figure that justifies it and the test that guards it). Such code may break silently when
the library changes, so pyproject.toml pins these libraries to the minor versions below,
and tests/core/test_overrides.py fails, naming the override, when the installed minor
version differs: re-read the override against the new version, run its tests and
re-measure its figure before changing the version here and in pyproject.toml.
"""

from typing import NamedTuple


class Override(NamedTuple):
    name: str  # as docs/overrides.md titles it
    where: str  # the module holding it
    library: str  # the distribution, as pip names it
    version: str  # "major.minor" it was written and tested against


OVERRIDES = (
    Override("batched channel layer", "realtime/layers.py", "channels-redis", "4.3"),
    Override("flat WebSocket routing", "realtime/routing.py", "channels", "4.3"),
    Override("flat WebSocket routing", "realtime/routing.py", "daphne", "4.2"),
    Override("consumer loop and dispatch", "realtime/consumers.py", "channels", "4.3"),
    Override("consumer send on a closing socket", "realtime/consumers.py", "daphne", "4.2"),
    Override("embedded channel layer", "realtime/relay.py", "channels", "4.3"),
    Override("prepared-statement cursor", "intranet/core/prepared.py", "Django", "5.2"),
    Override("prepared-statement cursor", "intranet/core/prepared.py", "psycopg", "3.3"),
    Override("chat send statement", "intranet/chat/services/messages.py", "Django", "5.2"),
    Override("bulk inserts", "intranet/core/bulk.py", "Django", "5.2"),
    Override("socket session check", "intranet/accounts/sessions.py", "Django", "5.2"),
    Override("atomic file storage", "intranet/core/storage.py", "Django", "5.2"),
    Override("pool check", "intranet/core/postgresql/base.py", "Django", "5.2"),
    Override("pool check", "intranet/core/postgresql/base.py", "psycopg-pool", "3.3"),
    Override("fail-soft Redis cache", "intranet/core/redis_cache.py", "Django", "5.2"),
    Override("resilient worker", "intranet/core/worker.py", "django-tasks-db", "0.13"),
    Override(
        "Whoosh field types", "intranet/search/engines/whoosh_engine.py", "whoosh-reloaded", "2.7"
    ),
    Override("raw LDAP entries", "intranet/directory/connection.py", "ldap3", "2.9"),
)
