"""intranet.core.migration_operations: the created_at indexes of stream and chat are
built CONCURRENTLY on PostgreSQL (writes go on meanwhile) and plainly on SQLite, from the
one operation both migrations import."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from intranet.core.migration_operations import AddIndexConcurrentlyOnPostgres

# sqlmigrate opens a schema editor, which SQLite refuses inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

CREATED_INDEXES = {
    ("stream", "0004"): [
        "stream_post_created",
        "stream_comment_created",
        "stream_reaction_created",
    ],
    ("chat", "0005"): ["chat_message_created"],
}


def sql_of(app_label, migration, *, backwards=False) -> str:
    out = io.StringIO()
    call_command("sqlmigrate", app_label, migration, backwards=backwards, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("app_label", "migration"), CREATED_INDEXES)
def test_index_is_built_concurrently_only_on_postgresql(app_label, migration):
    sql = sql_of(app_label, migration)
    for name in CREATED_INDEXES[app_label, migration]:
        if connection.vendor == "postgresql":
            assert f'CREATE INDEX CONCURRENTLY "{name}"' in sql
        else:
            assert f'CREATE INDEX "{name}"' in sql
    assert ("CONCURRENTLY" in sql) == (connection.vendor == "postgresql")


@pytest.mark.parametrize(("app_label", "migration"), CREATED_INDEXES)
def test_index_is_dropped_concurrently_only_on_postgresql(app_label, migration):
    sql = sql_of(app_label, migration, backwards=True)
    for name in CREATED_INDEXES[app_label, migration]:
        assert f'"{name}"' in sql and "DROP INDEX" in sql
    assert ("CONCURRENTLY" in sql) == (connection.vendor == "postgresql")


def test_both_migrations_use_the_shared_operation():
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    for app_label, prefix in CREATED_INDEXES:
        migration = loader.get_migration_by_prefix(app_label, prefix)
        assert migration.atomic is False  # PostgreSQL refuses CONCURRENTLY in a transaction
        assert all(isinstance(op, AddIndexConcurrentlyOnPostgres) for op in migration.operations)
