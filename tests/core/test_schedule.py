"""Periodic jobs: one pending task per job, duplicates recognised, the chain restarted."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django_tasks_db.models import DBTaskResult

from intranet.core.models import ScheduledJob
from intranet.core.schedule import schedule_claim, schedule_ensure, schedule_next
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
