"""/healthz: 503 only without the database; Redis down or a late worker say "degraded"."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intranet.search.tasks import search_index_drain
from tests.services import require_executable


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of our own, stopped by the test without touching the machine's."""
    require_executable("redis-server", "apt-get install redis-server")
    from bench.realtime.cluster import Redis

    server = Redis(tmp_path)
    server.start()
    yield server
    server.stop()


def test_embedded_site_is_ok_without_redis(client, db, settings):
    settings.REDIS_URL = ""
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok", "worker": "ok"}


def test_redis_unreachable_is_degraded_but_still_200(client, db, settings, own_redis):
    settings.REDIS_URL = own_redis.url
    assert client.get("/healthz").json()["redis"] == "ok"
    own_redis.stop()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "degraded",
        "database": "ok",
        "worker": "ok",
        "redis": "unreachable",
    }


def test_a_task_due_for_minutes_says_the_worker_is_late(client, db, settings):
    settings.REDIS_URL = ""
    result = search_index_drain.enqueue()
    assert client.get("/healthz").json()["worker"] == "ok"  # just enqueued
    long_ago = timezone.now() - datetime.timedelta(minutes=6)
    DBTaskResult.objects.filter(pk=result.id).update(enqueued_at=long_ago)
    answer = client.get("/healthz").json()
    assert (answer["status"], answer["worker"]) == ("degraded", "late")
    DBTaskResult.objects.filter(pk=result.id).update(status="SUCCESSFUL")
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_task_scheduled_long_ago_for_later_is_late_only_once_due(client, db, settings):
    settings.REDIS_URL = ""
    result = search_index_drain.enqueue()
    now = timezone.now()
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=now - datetime.timedelta(hours=1),
        run_after=now + datetime.timedelta(minutes=1),
    )
    assert client.get("/healthz").json()["worker"] == "ok"
    DBTaskResult.objects.filter(pk=result.id).update(run_after=now - datetime.timedelta(minutes=6))
    assert client.get("/healthz").json()["worker"] == "late"


def test_health_is_open_to_anonymous_get_only(client, db):
    assert client.post("/healthz").status_code == 405
