"""The periodic directory sync: always exactly one pending task, durable in the database.

django-tasks has no cron. Each periodic run queues the next one (run_after), and the
SyncSchedule row names the pending task so that duplicates are recognised and dropped.
schedule_ensure() restarts the chain when it is broken (first start, a worker killed
mid-run, a failed enqueue); it runs after every `migrate`, which the run command does
before starting the worker, and after every `manage.py sync_directory`.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from intranet.directory.config import directory_config
from intranet.directory.models import SyncSchedule

logger = logging.getLogger(__name__)

# A run still "running" after this long belongs to a worker that died: start a new chain.
STALE_AFTER = timedelta(hours=6)


def _pending(task_id: str, now) -> bool:
    if not task_id:
        return False
    result = DBTaskResult.objects.filter(pk=task_id).only("status", "started_at").first()
    if result is None:
        return False
    if result.status == TaskResultStatus.READY:
        return True
    return result.status == TaskResultStatus.RUNNING and (
        result.started_at is None or result.started_at > now - STALE_AFTER
    )


def _enqueue(schedule: SyncSchedule, when) -> str:
    from intranet.directory.tasks import directory_sync_periodic

    result = directory_sync_periodic.using(run_after=when).enqueue()
    schedule.task_id, schedule.next_run_at = str(result.id), when
    schedule.save(update_fields=["task_id", "next_run_at"])
    logger.info("next directory sync queued for %s (task %s)", when, result.id)
    return schedule.task_id


def schedule_ensure() -> str | None:
    """Queue the periodic sync unless one is pending; its task id, or None when off."""
    config = directory_config()
    if not config.enabled or not config.sync_interval_minutes:
        return None
    now = timezone.now()
    with transaction.atomic():
        schedule, _created = SyncSchedule.objects.select_for_update().get_or_create(pk=1)
        if _pending(schedule.task_id, now):
            return schedule.task_id
        return _enqueue(schedule, max(now, schedule.next_run_at or now))


def schedule_claim(task_id: str) -> bool:
    """Whether task_id is the scheduled periodic sync (False: a stray duplicate)."""
    with transaction.atomic():
        schedule = SyncSchedule.objects.select_for_update().filter(pk=1).first()
        return schedule is not None and schedule.task_id == str(task_id)


def schedule_next(task_id: str) -> str | None:
    """After the run task_id, queue the next one, one interval later."""
    config = directory_config()
    if not config.enabled or not config.sync_interval_minutes:
        return None
    with transaction.atomic():
        schedule = SyncSchedule.objects.select_for_update().filter(pk=1).first()
        if schedule is None or schedule.task_id != str(task_id):
            return None  # another chain took over meanwhile
        when = timezone.now() + timedelta(minutes=config.sync_interval_minutes)
        return _enqueue(schedule, when)


def schedule_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate receiver (Django's signal): start the chain once the tables exist."""
    try:
        schedule_ensure()
    except Exception:  # migrate must never fail because of the schedule
        logger.exception("could not queue the periodic directory sync")
