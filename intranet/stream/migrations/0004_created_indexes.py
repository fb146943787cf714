"""created_at indexes for the dashboards' daily run, which reads one day of these tables
(docs/dashboards.md, "Performance"; CHANGELOG operator notes). Built CONCURRENTLY on
PostgreSQL, so the migration is not atomic; a plain index elsewhere."""

from django.db import migrations, models

from intranet.core.migration_operations import AddIndexConcurrentlyOnPostgres


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
