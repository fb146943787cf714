"""The indexer as a background task (django-tasks, run by `manage.py db_worker`).

At most one drain waits in the queue (core.schedule.task_enqueue_once): writes only
nudge it. A drain holds the worker for at most TRANSVERSE_SEARCH_DRAIN_SECONDS and stops
lingering as soon as another task waits; what it leaves is taken by a follow-up drain
queued behind the other tasks, so e-mails and the directory sync never wait long.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from intranet.core.schedule import task_enqueue_once
from intranet.core.worker import rerun_if_lost, stop_requested, tasks_waiting
from intranet.search.indexer import drain_run, pending_exists
from intranet.search.models import IndexEntry

DRAIN_JOB = "search.drain"  # the ScheduledJob row naming the waiting drain
DRAIN_PATH = "intranet.search.tasks.search_index_drain"
# A write's own kick queues a drain within a second: the worker's check is the safety net.
STRAGGLER_AGE = timedelta(seconds=10)
FAILED_PAUSE = timedelta(minutes=5)  # a broken index: one failing drain per pause, not more


@task()
@rerun_if_lost
def search_index_drain() -> int:
    """Drain the search queue; keep listening 1 s (while nothing else waits) for late changes."""
    run = drain_run(
        lock_timeout=2.0,
        linger=1.0,
        budget=settings.TRANSVERSE_SEARCH_DRAIN_SECONDS,
        stop=stop_requested,
        linger_while=lambda: not tasks_waiting(besides=DRAIN_PATH),
    )
    if not run.complete and pending_exists():
        search_drain_enqueue()
    return run.applied


def search_drain_enqueue() -> str | None:
    """Queue a drain unless one is waiting already (the new task's id, or None)."""
    return task_enqueue_once(DRAIN_JOB, search_index_drain)


def search_drain_ensure() -> str | None:
    """Worker maintenance: queue a drain for entries left waiting without one.

    A kick can be lost (the cache refused it, the task queue was away, a change landed
    just after a drain looked); none is queued while a drain is waiting or running, or
    while drains fail (a broken index: /healthz and search_check say so).
    """
    now = timezone.now()
    if not IndexEntry.objects.filter(
        done_at__isnull=True, created_at__lt=now - STRAGGLER_AGE
    ).exists():
        return None
    drains = DBTaskResult.objects.filter(task_path=DRAIN_PATH)
    if drains.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).exists():
        return None
    if drains.filter(status=TaskResultStatus.FAILED, finished_at__gte=now - FAILED_PAUSE).exists():
        return None
    return search_drain_enqueue()
