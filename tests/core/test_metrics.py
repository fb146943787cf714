"""The Prometheus endpoint (intranet.core.metrics): who may read it, and each figure moving
when the matching thing happens, across processes too.

Roles: `alice` (an agent of Finance); `staff` (the site administrator).
"""

import os
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intranet.core import metrics
from intranet.core.worker import lost_tasks_recover
from intranet.search.models import IndexEntry
from intranet.search.tasks import search_index_drain
from tests.core.metrics_text import scraped, value
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-9f2c1e7a5b"


@pytest.fixture
def token(settings):
    settings.TRANSVERSE_METRICS_TOKEN = TOKEN
    return TOKEN


# --- Who may read it ---------------------------------------------------------------------


def test_a_local_address_reads_the_metrics_as_prometheus_text(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert b"# TYPE transverse_http_requests_total counter" in response.content
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


@pytest.mark.parametrize("address", ["192.0.2.7", "10.0.0.1", "2001:db8::1", "", "junk"])
def test_another_address_gets_404_as_if_missing(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 404
    assert b"transverse_" not in response.content


def test_a_request_through_an_untrusted_local_proxy_gets_404(client):
    """A local nginx not listed in TRANSVERSE_TRUSTED_PROXIES makes every visitor
    127.0.0.1: the forwarded header says the request came from elsewhere."""
    forwarded = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.7")
    assert forwarded.status_code == 404


def test_through_a_trusted_proxy_the_client_address_decides(client, settings):
    settings.TRANSVERSE_TRUSTED_PROXIES = (__import__("ipaddress").ip_network("10.0.0.2"),)
    settings.TRANSVERSE_METRICS_ALLOWED_ADDRESSES = (
        __import__("ipaddress").ip_network("10.9.0.0/16"),
    )
    inside = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "10.9.1.1"}
    outside = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "10.9.1.1, 192.0.2.7"}
    assert Client().get("/metrics", **inside).status_code == 200
    assert Client().get("/metrics", **outside).status_code == 404


def test_the_bearer_token_opens_it_from_anywhere(token):
    client = Client()
    headers = {"REMOTE_ADDR": "192.0.2.7", "HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    assert client.get("/metrics", **headers).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        f"Bearer {TOKEN}x",
        f"Basic {TOKEN}",
        "Bearer ",
        "Bearer",
        TOKEN,
        f"Bearer {TOKEN[:-1]}",
        "Bearer \x00\n<script>",
    ],
)
def test_a_wrong_or_hostile_authorization_gets_404(token, header):
    response = Client().get("/metrics", REMOTE_ADDR="192.0.2.7", HTTP_AUTHORIZATION=header)
    assert response.status_code == 404


def test_without_a_token_set_an_empty_bearer_opens_nothing(settings):
    settings.TRANSVERSE_METRICS_TOKEN = ""
    response = Client().get("/metrics", REMOTE_ADDR="192.0.2.7", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_a_signed_in_agent_elsewhere_still_gets_404(client, alice):
    client.force_login(alice)
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 404


def test_the_scrape_only_answers_get(client):
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405


# --- Each figure moves with what it counts -----------------------------------------------


def test_requests_are_counted_by_route_name_never_by_path(client, alice):
    before = scraped(client)
    client.force_login(alice)
    client.get(f"/people/{alice.username}/")
    client.get("/no-such-page-personal-data-xyz/")
    after = scraped(client)
    name = "transverse_http_requests_total"
    assert value(after, name, view="people:agent-detail", status="2xx") == (
        value(before, name, view="people:agent-detail", status="2xx") + 1
    )
    assert value(after, name, view="unresolved", status="4xx") == (
        value(before, name, view="unresolved", status="4xx") + 1
    )
    count = "transverse_http_request_duration_seconds_count"
    assert (
        value(after, count, view="people:agent-detail")
        == value(before, count, view="people:agent-detail") + 1
    )
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert alice.username not in text and "personal-data-xyz" not in text


def test_a_real_sign_in_failure_is_counted_by_reason(client, alice):
    before = scraped(client)
    Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD + "x"})
    after = scraped(client)
    name = "transverse_sign_in_failures_total"
    assert value(after, name, reason="credentials") == value(before, name, reason="credentials") + 1
    Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert value(scraped(client), name) == value(after, name)


def test_the_queue_depth_and_oldest_age_by_task_kind(client):
    path = search_index_drain.module_path
    assert value(scraped(client), "transverse_task_queue_depth", task=path) == 0
    first = search_index_drain.enqueue()
    search_index_drain.enqueue()
    DBTaskResult.objects.filter(pk=first.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=10)
    )
    after = scraped(client)
    assert value(after, "transverse_task_queue_depth", task=path) == 2
    age = value(after, "transverse_task_queue_oldest_age_seconds", task=path)
    assert 590 <= age <= 3600


def test_a_task_due_later_is_not_yet_waiting(client):
    path = search_index_drain.module_path
    search_index_drain.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    assert value(scraped(client), "transverse_task_queue_depth", task=path) == 0


def test_a_failed_task_is_counted_by_its_path(client, settings):
    """A task failed by the library (task_finished) and one of a lost worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from tests.core.failing_tasks import always_fails

    name, path = "transverse_tasks_failed_total", always_fails.module_path
    before = value(scraped(client), name, task=path)
    always_fails.enqueue()
    assert value(scraped(client), name, task=path) == before + 1


def test_a_lost_workers_task_is_counted_failed(client, settings):
    settings.TRANSVERSE_WORKER_LOST_AFTER = 1
    name, path = "transverse_tasks_failed_total", search_index_drain.module_path
    before = value(scraped(client), name, task=path)
    result = search_index_drain.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING", worker_ids=["gone"], started_at=timezone.now() - timedelta(hours=1)
    )
    assert lost_tasks_recover() == 1
    assert value(scraped(client), name, task=path) == before + 1


def test_the_search_index_lag_is_the_oldest_pending_entry(client):
    assert value(scraped(client), "transverse_search_index_pending") == 0
    assert value(scraped(client), "transverse_search_index_lag_seconds") == 0
    entry = IndexEntry.objects.create(kind="post", object_id=1)
    IndexEntry.objects.create(kind="post", object_id=2, done_at=timezone.now())
    IndexEntry.objects.filter(pk=entry.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    after = scraped(client)
    assert value(after, "transverse_search_index_pending") == 1
    assert 290 <= value(after, "transverse_search_index_lag_seconds") <= 3600


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only"
)
def test_database_connections_are_read_from_postgresql(client):
    samples = scraped(client)
    assert value(samples, "transverse_db_connections") >= 1  # the scrape's own at least
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    assert value(samples, "transverse_db_max_connections") == limit


def test_a_collector_whose_database_fails_is_skipped_not_a_500(client):
    def broken():
        from django.db import DatabaseError

        raise DatabaseError("gone")
        yield  # a generator, as the others

    metrics.scrape_collector(broken)
    try:
        samples = scraped(client)
    finally:
        metrics._collectors.remove(broken)
    assert value(samples, "transverse_search_index_pending") == 0


# --- Several processes -------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys, django
    django.setup()
    from intranet.core import metrics
    metrics.CHAT_SENDS.inc(5)
    metrics.WEBSOCKETS_OPEN.inc(2)
    print("ready", flush=True)
    sys.stdin.readline()
    """
)


def child_process():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "intranet.settings",
        "TRANSVERSE_METRICS_DIR": str(django_settings.TRANSVERSE_METRICS_DIR),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        cwd=django_settings.BASE_DIR,
        text=True,
    )
    assert child.stdout.readline().strip() == "ready"
    return child


def test_counters_add_up_across_processes_and_survive_their_end(client):
    metrics.WEBSOCKETS_OPEN.inc()  # this process's own socket
    try:
        before = scraped(client)
        child = child_process()
        try:
            during = scraped(client)
            sends = "transverse_chat_messages_sent_total"
            assert value(during, sends) == value(before, sends) + 5
            sockets = "transverse_websockets_open"
            assert value(during, sockets, pid=str(child.pid)) == 2
            assert value(during, sockets, pid=str(os.getpid())) >= 1
        finally:
            child.communicate("stop\n", timeout=30)
        assert metrics.stale_files_fold() >= 1  # as the next process to start does
        after = scraped(client)
        # The ended process's sockets are gone; what it counted is kept, once.
        assert not any(n == sockets and ("pid", str(child.pid)) in labels for n, labels in after)
        assert value(after, sends) == value(during, sends)
        assert value(after, sockets, pid=str(os.getpid())) >= 1
    finally:
        metrics.WEBSOCKETS_OPEN.dec()


def test_folding_twice_counts_nothing_twice(client):
    child = child_process()
    child.communicate("stop\n", timeout=30)
    metrics.stale_files_fold()
    once = value(scraped(client), "transverse_chat_messages_sent_total")
    assert metrics.stale_files_fold() == 0
    assert value(scraped(client), "transverse_chat_messages_sent_total") == once
