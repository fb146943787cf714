"""The worker as a real process, killed or stopped in the middle of a task.

kill -9 mid-task: once the worker's heartbeat is older than TRANSVERSE_WORKER_LOST_AFTER,
the next worker marks the task failed, and runs it again only when it is declared safe to
(@rerun_if_lost). SIGTERM during a long search drain stops the worker within seconds and
leaves the rest of the queue to a re-queued drain; SIGTERM during any other long task
interrupts it after TRANSVERSE_WORKER_STOP_SECONDS.
"""

import signal

import pytest
from django_tasks_db.models import DBTaskResult

from intranet.core.models import WorkerHeartbeat
from intranet.search.models import IndexEntry
from intranet.search.tasks import DRAIN_PATH, search_drain_enqueue
from tests.faults.tasks import hold, hold_rerunnable
from tests.faults.worker import WorkerProcess, worker_env
from tests.waiting import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(settings, tmp_path):
    """Start workers on this test's database; every one is killed at the end."""
    settings.TRANSVERSE_SEARCH_INDEX_DIR = tmp_path / "index"
    settings.TRANSVERSE_WORKER_LOST_AFTER = 3
    settings.TRANSVERSE_WORKER_STOP_SECONDS = 2
    started = []

    def start(worker_id: str, **extra) -> WorkerProcess:
        env = worker_env(settings, **extra)
        worker = WorkerProcess(env, tmp_path / f"{worker_id}.log", worker_id).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def status(task_id) -> str:
    return DBTaskResult.objects.get(pk=task_id).status


def copies_of(task_id) -> list[DBTaskResult]:
    original = DBTaskResult.objects.get(pk=task_id)
    return list(DBTaskResult.objects.filter(task_path=original.task_path).exclude(pk=task_id))


def test_a_killed_workers_task_fails_and_is_not_run_again_unless_safe(workers, tmp_path):
    marker = str(tmp_path / "mail")
    first = workers("worker-a")
    result = hold.enqueue(marker)
    wait_until(lambda: (tmp_path / "mail.started").exists(), what="the task to start")
    first.signal(signal.SIGKILL)
    first.process.wait(10)
    assert status(result.id) == "RUNNING"  # what the stock worker left for ever

    workers("worker-b")
    wait_until(lambda: status(result.id) == "FAILED", what="the lost task to be failed")
    failed = DBTaskResult.objects.get(pk=result.id)
    assert failed.exception_class_path == "intranet.core.worker.WorkerLost"
    assert "worker-a stopped" in failed.traceback
    assert copies_of(result.id) == []  # not declared safe to run twice: reported only


def test_a_killed_workers_rerunnable_task_runs_again_on_another_worker(workers, tmp_path):
    marker = str(tmp_path / "drain")
    first = workers("worker-a")
    result = hold_rerunnable.enqueue(marker)
    wait_until(lambda: (tmp_path / "drain.started").exists(), what="the task to start")
    (tmp_path / "drain.started").unlink()
    first.signal(signal.SIGKILL)
    first.process.wait(10)

    workers("worker-b")
    copy = wait_until(lambda: copies_of(result.id), what="the task to be re-queued")[0]
    assert status(result.id) == "FAILED"
    wait_until(lambda: (tmp_path / "drain.started").exists(), what="the copy to start")
    (tmp_path / "drain.release").touch()
    wait_until(lambda: status(copy.pk) == "SUCCESSFUL", what="the copy to succeed")
    assert DBTaskResult.objects.get(pk=copy.pk).worker_ids == ["worker-a", "worker-b"]
    assert len(copies_of(result.id)) == 1


def test_sigterm_during_a_long_drain_stops_within_seconds(workers, settings):
    """20,000 entries one per batch would take minutes: the drain stops between batches."""
    IndexEntry.objects.bulk_create(
        IndexEntry(kind="agent", object_id=10**9 + n, action="remove") for n in range(20_000)
    )
    worker = workers(
        "worker-a", TRANSVERSE_SEARCH_BATCH_SIZE=1, TRANSVERSE_SEARCH_DRAIN_SECONDS=3600
    )
    drain_id = search_drain_enqueue()
    wait_until(
        lambda: IndexEntry.objects.filter(done_at__isnull=False).count() >= 5,
        timeout=60,
        what="the drain to apply a few entries",
    )
    worker.signal(signal.SIGTERM)
    wait_until(worker.exited, timeout=20, what="the worker to exit after SIGTERM")
    assert worker.process.returncode == 0
    assert status(drain_id) == "SUCCESSFUL"  # it stopped between two batches
    assert IndexEntry.objects.filter(done_at__isnull=True).exists()
    waiting = DBTaskResult.objects.filter(task_path=DRAIN_PATH, status="READY")
    assert waiting.count() == 1  # the rest is left to the next worker


def test_sigterm_interrupts_a_long_task_after_the_stop_time(workers, tmp_path):
    marker = str(tmp_path / "sync")
    worker = workers("worker-a")
    result = hold_rerunnable.enqueue(marker)
    wait_until(lambda: (tmp_path / "sync.started").exists(), what="the task to start")
    worker.signal(signal.SIGTERM)
    wait_until(worker.exited, timeout=20, what="the worker to exit after SIGTERM")
    assert worker.process.returncode == 0
    failed = DBTaskResult.objects.get(pk=result.id)
    assert failed.status == "FAILED" and "SIGTERM" in failed.traceback
    assert [c.status for c in copies_of(result.id)] == ["READY"]
    assert not (tmp_path / "sync.done").exists()


def test_the_worker_beats_while_a_task_runs(workers, tmp_path, settings):
    worker = workers("worker-a")
    hold.enqueue(str(tmp_path / "long"))
    wait_until(lambda: (tmp_path / "long.started").exists(), what="the task to start")
    first = wait_until(lambda: WorkerHeartbeat.objects.filter(worker_id="worker-a").first())
    wait_until(
        lambda: WorkerHeartbeat.objects.get(worker_id="worker-a").beat_at > first.beat_at,
        what="a heartbeat during the task",
    )
    (tmp_path / "long.release").touch()
    assert not worker.exited()
