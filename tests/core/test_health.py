"""/healthz: 503 only without the database; whatever else pages survive says "degraded".

Redis unreachable, the worker down or late, tasks failed in the last hour, the search
index missing or corrupt, little free disk space, PostgreSQL connections near the limit.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intranet.core.models import WorkerHeartbeat
from intranet.search.tasks import search_index_drain
from tests.services import missing_service

ROOT = Path(__file__).resolve().parents[2]
HEALTHY = {
    "status": "ok",
    "database": "ok",
    "worker": "ok",
    "failed_tasks": 0,
    "disk": "ok",
    "search": "ok",
}


@pytest.fixture(autouse=True)
def healthy_site(db, settings, tmp_path):
    """A worker beating, a search index built, 1 MiB free required: all is well."""
    settings.TRANSVERSE_SEARCH_ENGINE = "whoosh"
    settings.TRANSVERSE_SEARCH_INDEX_DIR = tmp_path / "index"
    settings.TRANSVERSE_HEALTH_MIN_FREE_MB = 1
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w1", started_at=now, beat_at=now)
    call_command("search_rebuild", no_progress=True, stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_embedded_site_is_ok_without_redis(client, db, settings):
    settings.REDIS_URL = ""
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert {k: v for k, v in answer.json().items() if k != "database_connections"} == HEALTHY


def test_redis_unreachable_is_degraded_but_still_200(client, db, settings, own_redis):
    settings.REDIS_URL = own_redis.url
    assert client.get("/healthz").json()["redis"] == "ok"
    own_redis.stop()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["status"], body["redis"], body["worker"]) == ("degraded", "unreachable", "ok")


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


def _corrupt_whoosh_segment(index_dir: Path) -> None:
    generation = (index_dir / "CURRENT").read_text().strip()
    segments = list((index_dir / generation).glob("*.seg"))
    assert segments, "the index has no segment to damage"
    for segment in segments:
        data = segment.read_bytes()
        segment.write_bytes(data[:-200] + b"\x01" * 200)


def test_a_worker_without_heartbeat_is_down_even_with_nothing_due(client, settings):
    settings.REDIS_URL = ""
    stale = timezone.now() - datetime.timedelta(seconds=settings.TRANSVERSE_WORKER_LOST_AFTER + 1)
    WorkerHeartbeat.objects.update(beat_at=stale)
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["worker"]) == ("degraded", "down")


def test_tasks_failed_within_the_hour_are_counted(client, settings):
    settings.REDIS_URL = ""
    failed = [search_index_drain.enqueue().id for _ in range(2)]
    DBTaskResult.objects.filter(pk__in=failed).update(status="FAILED", finished_at=timezone.now())
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["failed_tasks"]) == ("degraded", 2)
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    DBTaskResult.objects.filter(pk__in=failed).update(finished_at=long_ago)
    assert client.get("/healthz").json()["status"] == "ok"


def test_a_missing_search_index_is_degraded_and_search_still_answers(client, settings, alice):
    settings.REDIS_URL = ""
    (settings.TRANSVERSE_SEARCH_INDEX_DIR / "CURRENT").unlink()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["search"]) == ("degraded", "missing")
    client.force_login(alice)
    assert client.get("/search/", {"q": "budget"}).status_code == 503  # says "unavailable"
    assert client.get("/").status_code == 200


def test_a_corrupt_search_index_is_degraded(client, settings, alice):
    settings.REDIS_URL = ""
    call_command("search_rebuild", no_progress=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    _corrupt_whoosh_segment(settings.TRANSVERSE_SEARCH_INDEX_DIR)
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["search"]) == ("degraded", "corrupt")


def test_little_free_disk_space_is_degraded(client, settings):
    settings.REDIS_URL = ""
    settings.TRANSVERSE_HEALTH_MIN_FREE_MB = 1024**3  # a petabyte: more than any test disk
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["disk"]) == ("degraded", "low")


def test_free_space_is_read_where_a_folder_is_not_created_yet(client, settings, tmp_path):
    settings.REDIS_URL = ""
    settings.MEDIA_ROOT = tmp_path / "not" / "yet"
    assert client.get("/healthz").json()["disk"] == "ok"


HEALTH_IN_A_PROCESS = """
import json
from django.test import Client
answer = Client().get("/healthz", HTTP_HOST="localhost")
print(json.dumps([answer.status_code, answer.json()]))
"""


@pytest.mark.faults
def test_postgres_connections_near_the_limit_are_degraded():
    """A PostgreSQL of our own with max_connections = 13 (10 for non-superusers)."""
    import psycopg

    from bench.realtime.cluster import Database, PostgresServer, base_env

    if PostgresServer.bin_dir() is None:
        missing_service("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    if shutil.which("runuser") is None:
        missing_service("runuser is needed to run initdb as the postgres account")
    folder = Path(tempfile.mkdtemp(prefix="transverse-health-"))
    os.chmod(folder, 0o711)  # noqa: S103 (traverse only: the postgres account reaches its folder)
    server = PostgresServer(folder)
    server.init()
    with open(server.data / "postgresql.conf", "a") as conf:
        conf.write("\nmax_connections = 13\n")
    server.start()
    held = []
    try:
        database = Database(server.url)
        env = base_env(database.url, None, TRANSVERSE_VAR_DIR=folder / "var")
        database.create(env)

        def health():
            done = subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", HEALTH_IN_A_PROCESS],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            return json.loads(done.stdout.strip().splitlines()[-1])

        status, body = health()
        assert (status, body["database_connections"]) == (200, "ok")
        held = [psycopg.connect(database.url) for _ in range(7)]  # 8 of 10 with the check's
        status, body = health()
        assert (status, body["status"], body["database_connections"]) == (200, "degraded", "high")
    finally:
        for conn in held:
            conn.close()
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def test_health_costs_a_handful_of_queries(client, settings, django_assert_max_num_queries):
    """Probed every few seconds by every load balancer: no query grows with the data."""
    settings.REDIS_URL = ""
    with django_assert_max_num_queries(5):
        assert client.get("/healthz").status_code == 200
