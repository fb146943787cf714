"""Shared, domain-free pieces: settings readers, Markdown, text folding, branding."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "intranet.core"
    label = "core"
    verbose_name = _("Site")

    def ready(self):
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_migrate
        from django.utils.module_loading import autodiscover_modules

        from intranet.core import signals  # noqa: F401
        from intranet.core.logs import request_id_forget

        # Each app adds its sections to lower apps' pages in its own sections.py.
        autodiscover_modules("sections")
        # How long each kind of personal data is kept: core's kinds, then each app's
        # retention.py (intranet.core.retention), applied every night.
        from intranet.core.retention import (
            RETENTION_JOB,
            core_rules_register,
            next_retention_time,
        )
        from intranet.core.schedule import Periodic, periodic_register

        core_rules_register()
        autodiscover_modules("retention")
        periodic_register(
            Periodic(
                RETENTION_JOB,
                "intranet.core.retention.retention_daily_periodic",
                next_retention_time,
            )
        )

        # Prometheus: what ended processes left is folded; failed tasks are counted.
        from django_tasks_db.compat import task_finished

        from intranet.core.metrics import metrics_start, task_finished_observe

        metrics_start()
        task_finished.connect(task_finished_observe, dispatch_uid="core-metrics-task-finished")

        post_migrate.connect(_ensure_schedules, sender=self)
        # Log lines between requests carry no request id (see core.logs).
        request_started.connect(request_id_forget, dispatch_uid="core-request-id-start")
        request_finished.connect(request_id_forget, dispatch_uid="core-request-id-finish")


def _ensure_schedules(**kwargs):
    """After `migrate`: every periodic job has its next run queued (see core.schedule)."""
    from intranet.core.schedule import schedule_ensure_all

    schedule_ensure_all()
