"""The background worker: django-tasks-db's `db_worker`, made to survive production.

- **Heartbeat**: a thread writes the worker's WorkerHeartbeat row every quarter of
  TRANSVERSE_WORKER_LOST_AFTER, also while a long task runs; /healthz reads it.
- **Lost workers**: a running task whose worker has not beaten for LOST_AFTER (killed,
  crashed, its machine gone) is marked failed; a task declared safe to run again
  (`@rerun_if_lost`) is re-queued, at most MAX_ATTEMPTS runs in all.
- **Database outages** never end the worker: the first failure is logged once, the
  worker retries with a growing pause, says every minute that it is still waiting and
  once how long it waited when the database is back; a task's outcome is recorded then.
- **SIGTERM** stops promptly: waits are cut short, the running task is asked to stop
  (`stop_requested()`, read by the search indexer between batches) and is interrupted
  after TRANSVERSE_WORKER_STOP_SECONDS, then failed and re-queued like a lost one.
- **Maintenance**: apps register functions the worker runs every half LOST_AFTER (the
  search app queues a drain when entries wait without one).
"""

import contextlib
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import Error as DatabaseFailure
from django.db import OperationalError, close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from intranet.core import metrics
from intranet.core.models import ScheduledJob, WorkerHeartbeat

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # runs of one task, re-queued ones included
KEEP_HEARTBEATS = timedelta(days=1)
OUTAGE_REPORT_SECONDS = 60.0

_stop = threading.Event()
_maintenance: list[Callable[[], object]] = []


class WorkerStopping(BaseException):
    """Raised inside a task still running TRANSVERSE_WORKER_STOP_SECONDS after SIGTERM."""


class WorkerLost(Exception):
    """The error recorded for a task whose worker stopped before it finished."""


def rerun_if_lost(func):
    """Declare a task function safe to run again after its worker was lost mid-run.

    Under @task(): `@task() @rerun_if_lost def ...`. Only for tasks whose second run
    does no harm (reading current state, claiming a schedule slot, checking a "sent" mark).
    """
    func.rerun_if_lost = True
    return func


def stop_requested() -> bool:
    """Whether the worker was asked to stop: a long task should return soon."""
    return _stop.is_set()


def worker_maintenance_register(function: Callable[[], object]) -> None:
    if function not in _maintenance:
        _maintenance.append(function)


def lost_after() -> timedelta:
    return timedelta(seconds=settings.TRANSVERSE_WORKER_LOST_AFTER)


def tasks_waiting(*, besides: str) -> bool:
    """Whether a task other than those of the task path `besides` is ready to run."""
    return DBTaskResult.objects.ready().exclude(task_path=besides).exists()


def _rerunnable(row: DBTaskResult) -> bool:
    try:
        task = import_string(row.task_path)
    except ImportError:
        return False
    return bool(getattr(getattr(task, "func", None), "rerun_if_lost", False))


def task_abandon(row: DBTaskResult, reason: str) -> str | None:
    """Mark a running task failed with reason; re-queue a copy when it may run again.

    The copy keeps the runs made so far (worker_ids) and takes over the periodic job or
    "at most one pending run" slot of the original (ScheduledJob). Returns its id.
    """
    copy = None
    if _rerunnable(row) and len(row.worker_ids) < MAX_ATTEMPTS:
        copy = DBTaskResult.objects.create(
            args_kwargs=row.args_kwargs,
            priority=row.priority,
            task_path=row.task_path,
            queue_name=row.queue_name,
            backend_name=row.backend_name,
            run_after=None,  # at once (django_tasks_db turns None into "no date")
            worker_ids=row.worker_ids,
        )
        ScheduledJob.objects.filter(task_id=str(row.pk)).update(task_id=str(copy.pk))
        reason = f"{reason} Re-queued as {copy.pk}."
    DBTaskResult.objects.filter(pk=row.pk).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        return_value=None,
        exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
        traceback=reason,
    )
    logger.warning("task %s (%s) failed: %s", row.pk, row.task_path, reason)
    metrics.task_failed(row.task_path)
    return str(copy.pk) if copy else None


def lost_tasks_recover(*, me: str | None = None) -> int:
    """Fail (and re-queue when safe) the running tasks of lost workers; how many.

    A worker is lost when its heartbeat is older than LOST_AFTER. `me`, the calling
    worker between two tasks, runs nothing: a running task of its own was left by a
    database outage that stopped its outcome from being recorded.
    """
    now = timezone.now()
    cutoff = now - lost_after()
    beats = dict(WorkerHeartbeat.objects.values_list("worker_id", "beat_at"))
    recovered = 0
    for row in DBTaskResult.objects.running().only("pk", "worker_ids", "started_at"):
        owner = row.worker_ids[-1] if row.worker_ids else ""
        if owner == me and me is not None:
            reason = "The worker could not record this task's outcome (database outage)."
        elif beats.get(owner, row.started_at or now) >= cutoff:
            continue  # its worker beats (a worker without heartbeat: it started lately)
        else:
            last = beats.get(owner)
            since = f"since {last:%Y-%m-%d %H:%M:%S%z}" if last else "ever"
            reason = f"The worker {owner} stopped (no heartbeat {since})."
        with transaction.atomic():
            locked = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=row.pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if locked is not None:
                task_abandon(locked, reason)
                recovered += 1
    WorkerHeartbeat.objects.filter(beat_at__lt=now - KEEP_HEARTBEATS).delete()
    return recovered


def heartbeat_write(worker_id: str) -> None:
    now = timezone.now()
    if not WorkerHeartbeat.objects.filter(worker_id=worker_id).update(beat_at=now):
        WorkerHeartbeat.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            beat_at=now,
        )


def _close_connections() -> None:
    """Drop this thread's connections (broken by an outage); the next query reconnects."""
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseFailure):
            conn.close()


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat every `interval` seconds on its own connection."""

    def __init__(self, worker_id: str, interval: float):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id, self.interval = worker_id, interval
        self._done = threading.Event()

    def run(self) -> None:
        while True:
            try:
                heartbeat_write(self.worker_id)
            except DatabaseFailure:
                _close_connections()  # the main loop reports the outage
            if self._done.wait(self.interval):
                break
        _close_connections()

    def stop(self) -> None:
        self._done.set()


class Outage:
    """Database outages, logged once when they start, then a summary (not one per try)."""

    def __init__(self):
        self.since: float | None = None
        self.attempts = 0
        self.reported_at = 0.0

    def failed(self, exc: BaseException) -> float:
        """Note a failed attempt; the pause before the next one (seconds)."""
        now = time.monotonic()
        if self.since is None:
            self.since, self.attempts, self.reported_at = now, 0, now
            logger.error(
                "database unavailable (%s: %s); the worker waits for it",
                type(exc).__name__,
                str(exc).strip().splitlines()[0] if str(exc).strip() else "",
            )  # no traceback: the cause is in the line, and an outage is not a bug
        elif now - self.reported_at >= OUTAGE_REPORT_SECONDS:
            self.reported_at = now
            logger.warning(
                "database still unavailable after %.0f s (%d attempts)",
                now - self.since,
                self.attempts,
            )
        self.attempts += 1
        return min(0.25 * 2 ** min(self.attempts, 5), 5.0)

    def over(self) -> bool:
        """Whether an outage just ended (then logged with its length)."""
        if self.since is None:
            return False
        logger.warning(
            "database back after %.0f s (%d failed attempts)",
            time.monotonic() - self.since,
            self.attempts,
        )
        self.since = None
        return True


class ResilientWorker(Worker):
    """django-tasks-db's Worker with the heartbeat, recovery, outage and stop handling."""

    def __init__(self, **options):
        super().__init__(**options)
        self.outage = Outage()
        self.beat_seconds = max(settings.TRANSVERSE_WORKER_LOST_AFTER / 4, 0.5)
        self.maintenance_seconds = max(settings.TRANSVERSE_WORKER_LOST_AFTER / 2, 1.0)
        self.maintained_at = float("-inf")
        self.in_task_code = False

    # --- signals ---
    def configure_signals(self) -> None:
        super().configure_signals()
        signal.signal(signal.SIGALRM, self._interrupt_task)

    def shutdown(self, signum, frame) -> None:
        if not self.running:
            logger.warning("received %s again: stopping now", signal.strsignal(signum))
            self.reset_signals()
            sys.exit(1)
        self.running = False
        _stop.set()
        if self.running_task:
            seconds = settings.TRANSVERSE_WORKER_STOP_SECONDS
            logger.warning(
                "received %s: stopping once the running task ends (at most %d s)",
                signal.strsignal(signum),
                seconds,
            )
            signal.alarm(seconds)
        else:
            logger.warning("received %s: stopping", signal.strsignal(signum))

    def _interrupt_task(self, signum, frame) -> None:
        if self.in_task_code:  # never while recording an outcome
            raise WorkerStopping

    def _pause(self, seconds: float) -> None:
        _stop.wait(seconds)  # SIGTERM cuts it short

    # --- the loop ---
    def run(self) -> None:
        logger.info("worker %s started (queues %s)", self.worker_id, ",".join(self.queue_names))
        _stop.clear()
        # --batch runs what is due and stops (tests, one-off runs): no heartbeat thread,
        # whose own connection would write outside a test's transaction.
        heartbeat = None if self.batch else Heartbeat(self.worker_id, self.beat_seconds)
        if heartbeat:
            heartbeat.start()
        try:
            self._loop()
        finally:
            if heartbeat:
                heartbeat.stop()
            logger.info("worker %s stopped", self.worker_id)

    def _loop(self) -> None:
        while self.running:
            try:
                close_old_connections()
                if not self.batch:
                    self._maintain()
                row, retrieved = self._claim()
                if self.outage.over():
                    self._after_outage()
            except DatabaseFailure as exc:
                _close_connections()
                self._pause(self.outage.failed(exc))
                continue
            if row is not None:
                self.run_task(row)
            elif self.batch and retrieved:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if row is None and self.running:
                self._pause(self.interval)

    def _claim(self) -> tuple[DBTaskResult | None, bool]:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                row = tasks.get_locked()
                if row is not None:
                    row.claim(self.worker_id)  # no other worker runs it now
            except OperationalError as exc:
                if is_locked_database_exception(exc):  # SQLite busy: try again
                    return None, False
                raise
        return row, True

    def _maintain(self) -> None:
        if time.monotonic() - self.maintained_at < self.maintenance_seconds:
            return
        lost_tasks_recover(me=self.worker_id)
        for function in _maintenance:
            try:
                function()
            except DatabaseFailure:
                raise
            except Exception:  # one app's housekeeping must not stop the others' tasks
                logger.exception("worker maintenance %s failed", function.__qualname__)
        self.maintained_at = time.monotonic()

    def _after_outage(self) -> None:
        """Runs cut short by the outage: recover them now, restart periodic chains."""
        from intranet.core.schedule import schedule_ensure_all

        self.maintained_at = float("-inf")
        schedule_ensure_all()

    # --- one task ---
    def run_task(self, db_task_result: DBTaskResult) -> None:
        row = db_task_result
        self.running_task = True
        try:
            try:
                task = row.task
                result = row.task_result
                backend = task.get_backend()
                task_started.send(sender=type(backend), task_result=result)
                args = [*result.args]
                if task.takes_context:
                    args.insert(0, TaskContext(task_result=result))
                self.in_task_code = True
                value = task.call(*args, **result.kwargs)
                self.in_task_code = False
                signal.alarm(0)
                self._record(row.set_successful, value)
                task_finished.send(sender=type(backend), task_result=row.task_result)
            except WorkerStopping:
                self.in_task_code = False
                self._record(
                    task_abandon, row, "The worker was stopped (SIGTERM) while running this task."
                )
            except BaseException as exc:
                self.in_task_code = False
                signal.alarm(0)
                if isinstance(exc, DatabaseFailure):
                    _close_connections()
                self._record(row.set_failed, exc)
                self._finished_failed(row)
        finally:
            self.in_task_code = False
            signal.alarm(0)
            self.running_task = False
            self._run_tasks += 1

    def _finished_failed(self, row: DBTaskResult) -> None:
        try:
            sender = type(row.task.get_backend())
            task_result = row.task_result
        except (ImportError, SuspiciousOperation):
            logger.exception("task %s failed unexpectedly", row.pk)
        else:
            task_finished.send(sender=sender, task_result=task_result)

    def _record(self, function, *args) -> None:
        """Record a task's outcome, waiting for the database if it is away.

        Given up once a stop was asked and the wait exceeds the stop time: the row stays
        "running" and the next worker recovers it as a lost worker's.
        """
        deadline = None
        while True:
            try:
                function(*args)
            except DatabaseFailure as exc:
                _close_connections()
                pause = self.outage.failed(exc)
                if stop_requested():
                    deadline = (
                        deadline or time.monotonic() + settings.TRANSVERSE_WORKER_STOP_SECONDS
                    )
                    if time.monotonic() >= deadline:
                        return
                time.sleep(pause)
                continue
            if self.outage.over():
                try:
                    self._after_outage()
                except DatabaseFailure:
                    _close_connections()  # the loop's next pass notices and retries
            return
