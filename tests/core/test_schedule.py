"""Periodic jobs: one pending task per job, duplicates recognised, the chain restarted."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intranet.core.models import ScheduledJob
from intranet.core.schedule import (
    schedule_claim,
    schedule_ensure,
    schedule_ensure_all,
    schedule_next,
)
from intranet.notifications.tasks import DIGEST_JOB, next_digest_time

PARIS = ZoneInfo("Europe/Paris")


def test_digest_runs_next_at_the_configured_hour(settings):
    settings.TRANSVERSE_DIGEST_HOUR = 7
    assert next_digest_time(datetime(2026, 3, 2, 6, 0, tzinfo=PARIS)) == datetime(
        2026, 3, 2, 7, 0, tzinfo=PARIS
    )
    assert next_digest_time(datetime(2026, 3, 2, 7, 30, tzinfo=PARIS)) == datetime(
        2026, 3, 3, 7, 0, tzinfo=PARIS
    )


def test_ensure_keeps_one_pending_run_and_restarts_a_broken_chain(db):
    ScheduledJob.objects.filter(name=DIGEST_JOB).delete()
    first = schedule_ensure(DIGEST_JOB)
    assert schedule_ensure(DIGEST_JOB) == first
    assert DBTaskResult.objects.filter(pk=first).exists()
    DBTaskResult.objects.filter(pk=first).delete()  # e.g. the queue was purged
    second = schedule_ensure(DIGEST_JOB)
    assert second != first and DBTaskResult.objects.filter(pk=second).exists()


def test_only_the_named_task_runs_and_queues_the_next(db):
    ScheduledJob.objects.filter(name=DIGEST_JOB).delete()
    current = schedule_ensure(DIGEST_JOB)
    assert not schedule_claim(DIGEST_JOB, "a-stray-duplicate")
    assert schedule_claim(DIGEST_JOB, current)
    following = schedule_next(DIGEST_JOB, current)
    assert following and following != current
    assert schedule_next(DIGEST_JOB, current) is None  # the old run cannot queue twice
    assert ScheduledJob.objects.get(name=DIGEST_JOB).task_id == following


def test_schedule_ensure_command_restarts_broken_chains_and_says_which(db):
    ScheduledJob.objects.filter(name=DIGEST_JOB).delete()
    first = schedule_ensure(DIGEST_JOB)
    out = io.StringIO()
    call_command("schedule_ensure", stdout=out)
    assert f"{DIGEST_JOB}: pending" in out.getvalue().splitlines()
    DBTaskResult.objects.filter(pk=first).delete()  # its run was lost
    out = io.StringIO()
    call_command("schedule_ensure", stdout=out)
    assert f"{DIGEST_JOB}: queued" in out.getvalue().splitlines()
    assert ScheduledJob.objects.get(name=DIGEST_JOB).task_id != first


def test_a_run_killed_six_hours_ago_is_replaced_a_recent_one_is_not(db):
    ScheduledJob.objects.filter(name=DIGEST_JOB).delete()
    first = schedule_ensure(DIGEST_JOB)
    started = timezone.now() - timedelta(hours=5)
    DBTaskResult.objects.filter(pk=first).update(status="RUNNING", started_at=started)
    assert schedule_ensure_all()[DIGEST_JOB] == "pending"  # maybe still running
    DBTaskResult.objects.filter(pk=first).update(started_at=started - timedelta(hours=2))
    assert schedule_ensure_all()[DIGEST_JOB] == "queued"
