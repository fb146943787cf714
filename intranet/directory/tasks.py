"""Background tasks (django-tasks, database backend): the periodic directory sync."""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from intranet.core.worker import rerun_if_lost
from intranet.directory.config import directory_config
from intranet.directory.models import SyncRun
from intranet.directory.selectors import last_successful_run

logger = logging.getLogger(__name__)

# The periodic sync's name in intranet.core.schedule (registered in apps.py).
DIRECTORY_JOB = "directory.sync"


def sync_scheduled() -> bool:
    """Whether the periodic sync runs: a directory is configured and the interval is not 0."""
    config = directory_config()
    return config.enabled and config.sync_interval_minutes > 0


def next_sync_time(now):
    """One TRANSVERSE_LDAP_SYNC_INTERVAL after now."""
    return now + timedelta(minutes=directory_config().sync_interval_minutes)


def first_sync_time(now):
    """A new chain's first sync runs at once: agents exist before their first sign-in."""
    return now


def periodic_mode() -> str:
    """Incremental, except when no full run succeeded within TRANSVERSE_LDAP_FULL_SYNC_HOURS."""
    last_full = last_successful_run(SyncRun.Mode.FULL)
    horizon = timezone.now() - timedelta(hours=directory_config().full_sync_hours)
    if last_full is None or last_full.started_at < horizon:
        return SyncRun.Mode.FULL
    return SyncRun.Mode.INCREMENTAL


@task(takes_context=True)
@rerun_if_lost
def directory_sync_periodic(context) -> dict:
    """One periodic sync; whatever happens, the next one is queued afterwards."""
    from intranet.core.schedule import schedule_claim, schedule_next
    from intranet.directory.services.sync import SyncRefused, directory_sync

    task_id = str(context.task_result.id)
    if not schedule_claim(DIRECTORY_JOB, task_id):
        logger.info("directory sync task %s is not the scheduled one: skipped", task_id)
        return {"status": "superseded"}
    try:
        run = directory_sync(mode=periodic_mode())
        return {"status": run.status, "mode": run.mode, "counts": run.counts}
    except SyncRefused as exc:
        # Logged and recorded in SyncRun; a refused run is not a crash of the task.
        return {"status": SyncRun.Status.REFUSED, "message": str(exc)}
    finally:
        schedule_next(DIRECTORY_JOB, task_id)
