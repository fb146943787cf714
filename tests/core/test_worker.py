"""Recovering the running tasks of lost workers (intranet.core.worker), in process.

The real processes (kill -9, SIGTERM, a PostgreSQL restart) are in tests/faults.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intranet.core.models import ScheduledJob, WorkerHeartbeat
from intranet.core.worker import lost_tasks_recover
from intranet.search.tasks import search_index_drain
from tests.faults.tasks import hold

pytestmark = pytest.mark.django_db


def running(task, *args, worker_ids, started_ago=timedelta(minutes=10)):
    result = task.enqueue(*args)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=worker_ids, started_at=timezone.now() - started_ago
    )
    return str(result.id)


def beat(worker_id, ago):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id=worker_id, started_at=now, beat_at=now - ago)


def status(task_id):
    return DBTaskResult.objects.get(pk=task_id).status


def test_a_beating_workers_long_task_is_left_alone(settings):
    beat("alive", timedelta(seconds=1))
    task_id = running(hold, "x", worker_ids=["alive"], started_ago=timedelta(hours=5))
    assert lost_tasks_recover() == 0
    assert status(task_id) == "RUNNING"


def test_a_silent_workers_task_fails_and_a_rerunnable_one_takes_its_slot(settings):
    beat("gone", timedelta(seconds=settings.TRANSVERSE_WORKER_LOST_AFTER + 5))
    task_id = running(search_index_drain, worker_ids=["gone"])
    ScheduledJob.objects.create(name="search.drain", task_id=task_id)
    assert lost_tasks_recover() == 1
    assert status(task_id) == "FAILED"
    copy = DBTaskResult.objects.exclude(pk=task_id).get(task_path=search_index_drain.module_path)
    assert (copy.status, copy.worker_ids) == ("READY", ["gone"])
    assert ScheduledJob.objects.get(name="search.drain").task_id == str(copy.pk)


def test_a_task_lost_three_times_is_not_run_a_fourth(settings):
    task_id = running(search_index_drain, worker_ids=["a", "b", "c"])
    assert lost_tasks_recover() == 1
    assert status(task_id) == "FAILED"
    assert DBTaskResult.objects.filter(task_path=search_index_drain.module_path).count() == 1


def test_a_task_of_a_worker_without_heartbeat_is_lost_only_once_old(settings):
    recent = running(hold, "x", worker_ids=["stock"], started_ago=timedelta(seconds=1))
    old = running(hold, "y", worker_ids=["stock2"])
    assert lost_tasks_recover() == 1
    assert (status(recent), status(old)) == ("RUNNING", "FAILED")


def test_a_workers_own_running_row_between_tasks_is_an_outage_leftover(settings):
    beat("me", timedelta(seconds=0))
    task_id = running(hold, "x", worker_ids=["me"], started_ago=timedelta(seconds=1))
    assert lost_tasks_recover(me="me") == 1
    assert "database outage" in DBTaskResult.objects.get(pk=task_id).traceback


def test_staff_read_the_heartbeats_in_the_admin(client, staff):
    beat("w-admin", timedelta(seconds=3))
    client.force_login(staff)
    page = client.get("/admin/core/workerheartbeat/")
    assert page.status_code == 200 and b"w-admin" in page.content
    assert client.get("/admin/core/workerheartbeat/add/").status_code == 403
