"""The periodic sync on intranet.core.schedule: one durable pending task, run by the real
db_worker, re-queued each time."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from intranet.accounts.models import User
from intranet.core.models import ScheduledJob
from intranet.core.schedule import schedule_ensure as core_schedule_ensure
from intranet.directory.models import SyncRun
from intranet.directory.tasks import DIRECTORY_JOB, directory_sync_periodic, periodic_mode
from tests.directory.ldif import IMPORTED
from tests.services import free_port

# The worker opens and closes connections itself: no wrapping test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def pending():
    """Pending periodic syncs (other apps queue their own tasks too)."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="intranet.directory.tasks.directory_sync_periodic"
    )


def schedule_ensure():
    return core_schedule_ensure(DIRECTORY_JOB)


def scheduled_task_id():
    return ScheduledJob.objects.get(name=DIRECTORY_JOB).task_id


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


def make_due():
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def test_ensure_queues_exactly_one_pending_sync(slapd_server, directory_settings):
    directory_settings(slapd_server)
    first = schedule_ensure()
    assert schedule_ensure() == first
    assert schedule_ensure() == first
    assert pending().count() == 1
    assert scheduled_task_id() == first


def test_nothing_is_queued_without_a_directory_or_with_interval_zero(
    settings, slapd_server, directory_settings
):
    settings.TRANSVERSE_LDAP_URLS = ()
    assert schedule_ensure() is None
    directory_settings(slapd_server, sync_interval=0)
    assert schedule_ensure() is None
    assert not pending().exists()


def test_worker_runs_the_sync_and_queues_the_next_one(slapd_server, directory_settings):
    directory_settings(slapd_server, sync_interval=30)
    first = schedule_ensure()
    run_worker()
    assert User.objects.filter(source="directory").count() == len(IMPORTED)
    assert DBTaskResult.objects.get(pk=first).status == TaskResultStatus.SUCCESSFUL
    following = pending().get()
    assert str(following.pk) == scheduled_task_id() != first
    wait = following.run_after - timezone.now()
    assert timedelta(minutes=29) < wait <= timedelta(minutes=30)
    run_worker()  # not due yet: nothing runs
    assert SyncRun.objects.count() == 1


def test_failed_run_still_queues_the_next_one(directory_settings):
    directory_settings(urls=(f"ldap://127.0.0.1:{free_port()}",))
    first = schedule_ensure()
    run_worker()
    assert SyncRun.objects.get().status == SyncRun.Status.REFUSED
    assert DBTaskResult.objects.get(pk=first).status == TaskResultStatus.SUCCESSFUL
    assert pending().count() == 1


def test_stray_duplicate_task_does_not_run(slapd_server, directory_settings):
    directory_settings(slapd_server)
    schedule_ensure()
    stray = directory_sync_periodic.enqueue()
    make_due()
    run_worker()
    assert DBTaskResult.objects.get(pk=stray.id).return_value == {"status": "superseded"}
    assert SyncRun.objects.count() == 1
    assert pending().count() == 1  # still one chain


def test_chain_broken_by_a_dead_worker_is_restarted(slapd_server, directory_settings):
    directory_settings(slapd_server)
    first = schedule_ensure()
    # A worker killed mid-run leaves its task "running" for ever.
    DBTaskResult.objects.filter(pk=first).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(hours=7)
    )
    second = schedule_ensure()
    assert second != first and pending().count() == 1


def test_migrate_starts_the_chain(slapd_server, directory_settings):
    directory_settings(slapd_server)
    call_command("migrate", verbosity=0)  # what the run command does before the worker
    assert pending().count() == 1


def test_periodic_runs_are_incremental_between_full_runs(slapd_server, directory_settings):
    directory_settings(slapd_server, full_sync_hours=24)
    assert periodic_mode() == SyncRun.Mode.FULL
    SyncRun.objects.create(mode="full", status="succeeded", high_water_mark="20240101000000Z")
    assert periodic_mode() == SyncRun.Mode.INCREMENTAL
    SyncRun.objects.update(started_at=timezone.now() - timedelta(hours=25))
    assert periodic_mode() == SyncRun.Mode.FULL


def test_a_chain_stops_when_the_directory_is_switched_off(slapd_server, directory_settings):
    directory_settings(slapd_server)
    first = schedule_ensure()
    directory_settings(slapd_server, sync_interval=0)
    make_due()
    run_worker()  # the pending run still runs once, then queues nothing
    assert DBTaskResult.objects.get(pk=first).status == TaskResultStatus.SUCCESSFUL
    assert not pending().exists()
