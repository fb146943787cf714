"""created_at indexes for the dashboards' daily run, which reads one day of these tables
(docs/dashboards.md, "Performance"; CHANGELOG operator notes). Built CONCURRENTLY on
PostgreSQL, so the migration is not atomic; a plain index elsewhere."""

from django.db import migrations, models

from intranet.core.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("chat", "0004_attachment_alt_and_missed_notice")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="message",
            index=models.Index(fields=["created_at"], name="chat_message_created"),
        ),
    ]
