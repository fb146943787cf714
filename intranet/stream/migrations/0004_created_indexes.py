"""created_at indexes for the dashboards' daily run, which reads one day of these tables
(docs/dashboards.md, "Performance"; CHANGELOG operator notes). Built CONCURRENTLY on
PostgreSQL, so the migration is not atomic; a plain index elsewhere."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """CREATE INDEX CONCURRENTLY on PostgreSQL: posting goes on while a big table is
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


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("stream", "0003_post_image_alt_text")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="post",
            index=models.Index(fields=["created_at"], name="stream_post_created"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="comment",
            index=models.Index(fields=["created_at"], name="stream_comment_created"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="reaction",
            index=models.Index(fields=["created_at"], name="stream_reaction_created"),
        ),
    ]
