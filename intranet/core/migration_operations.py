"""Migration operations that more than one app's migrations use, domain-free.

`AddIndexConcurrentlyOnPostgres` adds an index without locking writes on PostgreSQL and
plainly on any other database (SQLite in the embedded mode), so one migration serves both.
A migration using it sets `atomic = False`: PostgreSQL refuses CREATE INDEX CONCURRENTLY
inside a transaction.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL: writes go on while a big table is
    indexed (the migration is not atomic for that); a plain CREATE INDEX elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )
