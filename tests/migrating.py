"""Moving the test database along the migration graph, for tests of data migrations.

Django's MigrationExecutor, as in Django's own migration tests: `migrate(targets)` takes
the database to those migrations and returns the models as they stood there;
`world_before(targets)` makes a fixture that does so for one test, then brings the latest
schema back whatever happened, for the tests that follow.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate the test database to targets; the models as they stand there."""
    MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()  # content type rows change label under the cache
    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def tables() -> set[str]:
    return set(connection.introspection.table_names())


def world_before(targets):
    """A fixture: the database as it stood at targets (the models of that time)."""

    @pytest.fixture
    def old_world():
        apps = migrate(targets)
        yield apps
        migrate(latest())

    return old_world
