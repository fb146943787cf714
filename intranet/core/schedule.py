"""Periodic background jobs on the tasks framework, which has no cron.

Each periodic job keeps exactly one pending task, named in a ScheduledJob row: a run
claims its row (a stray duplicate finds it is not the named task and does nothing),
does its work, then queues the next run. schedule_ensure_all() restarts any broken
chain (first start, a worker killed mid-run); it runs after every `migrate`, which the
run command does before it starts the worker, and as `manage.py schedule_ensure` before
the production worker starts and every night (deploy/systemd); the worker also runs it
when the database comes back after an outage (a run's `schedule_next` may have failed).

A ScheduledJob row also names the pending run of a task that must never be queued twice,
such as the search indexer's drain: `task_enqueue_once` (at most one waiting run).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from intranet.core.models import ScheduledJob

logger = logging.getLogger(__name__)
STALE_AFTER = timedelta(hours=6)


def _always() -> bool:
    return True


@dataclass(frozen=True)
class Periodic:
    name: str
    task_path: str  # dotted path of a django-tasks task taking no argument
    next_run: Callable[[datetime], datetime]
    # Whether the job runs at all now (a feature a setting switches off): when it returns
    # False nothing is queued, and a running chain stops after its current run.
    enabled: Callable[[], bool] = _always
    # When a new chain's first run goes; next_run(now) when None (first_run=now: at once).
    first_run: Callable[[datetime], datetime] | None = None


_registry: dict[str, Periodic] = {}


def periodic_register(job: Periodic) -> None:
    _registry[job.name] = job


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


def _enqueue(row: ScheduledJob, job: Periodic, when) -> str:
    result = import_string(job.task_path).using(run_after=when).enqueue()
    row.task_id, row.next_run_at = str(result.id), when
    row.save(update_fields=["task_id", "next_run_at"])
    logger.info("%s queued for %s (task %s)", job.name, when, result.id)
    return row.task_id


def _ensure(name: str) -> tuple[str | None, bool]:
    """(the pending run's task id, whether it was queued now); (None, False) when off."""
    job, now = _registry[name], timezone.now()
    if not job.enabled():
        return None, False
    with transaction.atomic():
        row, _created = ScheduledJob.objects.select_for_update().get_or_create(name=name)
        if _pending(row.task_id, now):
            return row.task_id, False
        when = row.next_run_at or (job.first_run or job.next_run)(now)
        return _enqueue(row, job, when), True


def schedule_ensure(name: str) -> str | None:
    """The pending run's task id, queued now if the chain was broken; None when disabled."""
    return _ensure(name)[0]


def schedule_ensure_all() -> dict[str, str]:
    """Restart every broken chain. Each job's state: "pending" (its next run was queued
    already), "queued" (the chain was broken and is restarted), "off" or "error"."""
    states = {}
    for name in _registry:
        try:
            task_id, queued = _ensure(name)
        except Exception:  # `migrate` must never fail because of one job's schedule
            logger.exception("could not queue the periodic job %s", name)
            states[name] = "error"
            continue
        states[name] = "off" if task_id is None else "queued" if queued else "pending"
    return states


def schedule_claim(name: str, task_id: str) -> bool:
    """Whether task_id is the scheduled run of name (False: a stray duplicate)."""
    with transaction.atomic():
        row = ScheduledJob.objects.select_for_update().filter(name=name).first()
        return row is not None and row.task_id == str(task_id)


def schedule_next(name: str, task_id: str) -> str | None:
    """After the run task_id, queue the next one (None: superseded, or the job is off)."""
    job = _registry[name]
    if not job.enabled():
        return None
    with transaction.atomic():
        row = ScheduledJob.objects.select_for_update().filter(name=name).first()
        if row is None or row.task_id != str(task_id):
            return None
        return _enqueue(row, job, job.next_run(timezone.now()))


def task_enqueue_once(name: str, task) -> str | None:
    """Queue task (no argument) unless a run of it named name is still waiting to start.

    Returns the new task id, or None when one was waiting already. A run that has started
    does not count: what was written after it looked may need another one. The row lock
    makes concurrent callers (every daphne process kicking the indexer) queue one run.
    """
    with transaction.atomic():
        row, _created = ScheduledJob.objects.select_for_update().get_or_create(name=name)
        if (
            row.task_id
            and DBTaskResult.objects.filter(pk=row.task_id, status=TaskResultStatus.READY).exists()
        ):
            return None
        result = task.enqueue()
        row.task_id, row.next_run_at = str(result.id), None
        row.save(update_fields=["task_id", "next_run_at"])
        return row.task_id
