"""`manage.py db_worker`: django-tasks-db's worker with the project's resilience added.

Same options as django-tasks-db's command (which this one replaces: intranet.core comes
before django_tasks_db in INSTALLED_APPS); the worker itself is intranet.core.worker.
"""

import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from intranet.core.database import pool_off
from intranet.core.worker import ResilientWorker


class Command(db_worker.Command):
    help = (
        "Run the background worker: it survives database restarts, recovers the tasks of "
        "lost workers and stops promptly on SIGTERM (docs/deploy.md)."
    )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        pool_off()  # one task at a time: direct connections, which fail fast in an outage
        self.configure_logging(verbosity)
        if reload and batch:
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
