"""Partial indexes on django-tasks-db's results for the two reads the project adds.

/healthz counts the tasks failed in the last hour and the worker looks for running tasks
of lost workers; both would otherwise scan a table that keeps 14 days of results.
"""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_workerheartbeat"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX core_task_failed_idx ON {TABLE} (finished_at) WHERE status = 'FAILED'",
            "DROP INDEX core_task_failed_idx",
        ),
        migrations.RunSQL(
            f"CREATE INDEX core_task_running_idx ON {TABLE} (started_at) WHERE status = 'RUNNING'",
            "DROP INDEX core_task_running_idx",
        ),
    ]
