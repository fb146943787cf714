"""The queue and the one indexer: concurrency, crashes, a lost index, drift, rebuilds."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from whoosh.index import LockError

from intranet.search.engines import get_engine
from intranet.search.indexer import drain, rebuild
from intranet.search.models import IndexEntry
from intranet.search.selectors import search
from intranet.stream.models import Post
from intranet.stream.services import posts
from tests.factories import UserFactory
from tests.search.conftest import index_now

ROOT = Path(__file__).resolve().parents[2]
WRITERS = 20
POSTS_EACH = 5


@pytest.mark.django_db(transaction=True)
def test_twenty_writer_threads_and_two_indexers_never_meet_a_lock_error(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("threads need a shared test database: see the multi-process variant below")
    writers = [UserFactory(username=f"writer{i}") for i in range(WRITERS)]
    errors, done = [], threading.Event()

    def write(agent, n):
        try:
            for i in range(POSTS_EACH):
                posts.post_create(agent, body=f"zqxconc{n}x{i} commun", visibility="organisation")
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    def index_loop():
        try:
            while not done.is_set():
                drain(lock_timeout=0.2)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    indexers = [threading.Thread(target=index_loop) for _ in range(2)]
    threads = [threading.Thread(target=write, args=(a, n)) for n, a in enumerate(writers)]
    for thread in indexers + threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    for thread in indexers:
        thread.join()
    index_now()
    assert [e for e in errors if isinstance(e, LockError)] == []
    assert errors == []
    assert Post.objects.count() == WRITERS * POSTS_EACH
    assert search(writers[0], "commun").total == WRITERS * POSTS_EACH
    assert not IndexEntry.objects.filter(done_at__isnull=True).exists()


WRITE = """
from intranet.accounts.models import User
from intranet.stream.services import posts
agent = User.objects.get(username="writerN")
for i in range(EACH):
    posts.post_create(agent, body="zqxproc commun %d" % i, visibility="organisation")
"""


def test_twenty_writer_processes_and_two_indexers_never_meet_a_lock_error(tmp_path):
    """Real processes on a real SQLite file (WAL), with two indexer loops racing."""
    env = _sqlite_env(tmp_path)
    _manage(env, "migrate", "-v0")
    _manage(env, "shell", "-c", SETUP.replace("COUNT", str(WRITERS)).replace("agent%d", "writer%d"))
    indexers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "search_index",
                "--interval",
                "0.1",
                "--batch-size",
                "10",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                WRITE.replace("writerN", f"writer{n}").replace("EACH", str(POSTS_EACH)),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    writer_errors = [w.communicate(timeout=300)[1] for w in writers]
    assert [w.returncode for w in writers] == [0] * WRITERS, writer_errors
    database = sqlite3.connect(tmp_path / "transverse.sqlite3")
    deadline = time.monotonic() + 120
    while (
        time.monotonic() < deadline
        and database.execute(
            "SELECT count(*) FROM search_indexentry WHERE done_at IS NULL"
        ).fetchone()[0]
    ):
        time.sleep(0.1)
    database.close()
    logs = []
    for indexer in indexers:
        indexer.terminate()
        logs.append(indexer.communicate(timeout=30)[1])
    assert not any("LockError" in log or "Traceback" in log for log in logs + writer_errors), logs
    out = _manage(env, "shell", "-c", SEARCH_COUNT).stdout.split()
    assert out[-1] == str(WRITERS * POSTS_EACH)


def test_a_failing_batch_stays_queued_and_is_applied_on_the_next_run(db, alice, monkeypatch):
    post = posts.post_create(alice, body="zqxcrash avant", visibility="organisation")
    engine = get_engine()
    index_now()
    posts.post_edit(alice, post.pk, body="zqxcrash après")

    def crash(documents, removed):
        raise RuntimeError("the indexer process dies here")

    monkeypatch.setattr(engine, "apply", crash)
    with pytest.raises(RuntimeError):
        drain(lock_timeout=5)
    assert IndexEntry.objects.filter(done_at__isnull=True).count() == 1
    monkeypatch.undo()
    assert index_now() == 1
    assert search(alice, "apres").total == 1


SETUP = """
from intranet.accounts.models import User
from intranet.search.services import search_index_many_later
users = User.objects.bulk_create(
    [User(username="agent%d" % i, first_name="Zqxkill", last_name="N%d" % i) for i in range(COUNT)]
)
search_index_many_later("agent", [u.pk for u in users])
"""
COUNT = """
from intranet.search.engines import get_engine
searcher = get_engine()._searcher()
print(searcher.doc_count(), len(set(f["key"] for f in searcher.all_stored_fields())))
"""


SEARCH_COUNT = """
from intranet.accounts.models import User
from intranet.search.selectors import search
print(search(User.objects.get(username="writer0"), "zqxproc").total)
"""


def _sqlite_env(tmp_path) -> dict:
    """A fresh embedded-mode installation (SQLite file, Whoosh index) under tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(TRANSVERSE_VAR_DIR=str(tmp_path), TRANSVERSE_SEARCH_ENGINE="whoosh")
    env.pop("TRANSVERSE_SEARCH_INDEX_DIR", None)
    return env


def _manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def test_indexer_process_killed_mid_batch_loses_nothing(tmp_path):
    """A real `search_index` process, SIGKILLed while it works, then restarted."""
    env = _sqlite_env(tmp_path)
    _manage(env, "migrate", "-v0")
    total = 2000
    _manage(env, "shell", "-c", SETUP.replace("COUNT", str(total)))
    database = sqlite3.connect(tmp_path / "transverse.sqlite3")

    def done_count():
        return database.execute(
            "SELECT count(*) FROM search_indexentry WHERE done_at IS NOT NULL"
        ).fetchone()[0]

    indexer = subprocess.Popen(
        [sys.executable, "manage.py", "search_index", "--batch-size", "25"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while done_count() < 100 and time.monotonic() < deadline:
            time.sleep(0.02)
        indexer.send_signal(signal.SIGKILL)
    finally:
        indexer.wait(timeout=30)
    killed_at = done_count()
    assert 0 < killed_at < total, "the kill must land while the queue is being drained"
    _manage(env, "search_index", "--once")
    assert done_count() == total
    indexed, unique = _manage(env, "shell", "-c", COUNT).stdout.split()[-2:]
    assert int(indexed) == int(unique) == total
    database.close()


@pytest.mark.parametrize("file_engine", ["whoosh", "tantivy"])
def test_deleted_index_is_unavailable_then_rebuilt(db, alice, alice_client, settings, file_engine):
    settings.TRANSVERSE_SEARCH_ENGINE = file_engine
    posts.post_create(alice, body="zqxperdu avant", visibility="organisation")
    index_now()
    shutil.rmtree(settings.TRANSVERSE_SEARCH_INDEX_DIR)
    response = alice_client.get("/search/", {"q": "zqxperdu"})
    assert response.status_code == 503
    assert "indisponible" in response.content.decode()
    # Writing goes on: the change waits in the queue.
    posts.post_create(alice, body="zqxperdu pendant", visibility="organisation")
    call_command("search_rebuild", "--no-progress", stdout=open(os.devnull, "w"))  # noqa: SIM115
    index_now()
    response = alice_client.get("/search/", {"q": "zqxperdu"})
    assert response.status_code == 200
    assert response.context["outcome"].total == 2


def test_corrupt_index_says_unavailable_and_writes_go_on(db, alice, alice_client, settings):
    posts.post_create(alice, body="zqxcorrompu", visibility="organisation")
    index_now()
    root = Path(settings.TRANSVERSE_SEARCH_INDEX_DIR)
    generation = root / (root / "CURRENT").read_text()
    for path in generation.iterdir():
        path.write_bytes(b"garbage")
    get_engine()._local.searcher = None
    get_engine()._indexes.clear()
    assert alice_client.get("/search/", {"q": "zqxcorrompu"}).status_code == 503
    assert posts.post_create(alice, body="zqxcorrompu encore", visibility="organisation").pk


def test_search_check_repairs_missing_stale_and_orphaned_entries(db, engine, alice, capsys):
    kept = posts.post_create(alice, body="zqxdrift gardé", visibility="organisation")
    changed = posts.post_create(alice, body="zqxdrift ancien", visibility="organisation")
    gone = posts.post_create(alice, body="zqxdrift orphelin", visibility="organisation")
    rebuild()  # a clean start on every engine (alice was made without a service)
    index_now()
    get_engine().apply([], [f"post:{kept.pk}"])  # missing
    Post.objects.filter(pk=changed.pk).update(body="zqxdrift nouveau")  # stale
    Post.objects.filter(pk=gone.pk).delete()  # orphaned
    call_command("search_check", "--dry-run")
    report = capsys.readouterr().out
    assert "missing: 1" in report and "stale: 1" in report and "orphaned: 1" in report
    call_command("search_check")
    call_command("search_check", "--dry-run")
    report = capsys.readouterr().out.splitlines()[-3:]
    assert report == ["missing: 0", "stale: 0", "orphaned: 0"]
    assert {h.obj.pk for h in search(alice, "zqxdrift").hits} == {kept.pk, changed.pk}
    assert search(alice, "nouveau").total == 1


def test_rebuild_swaps_a_complete_index_and_keeps_changes_made_meanwhile(db, engine, alice):
    for i in range(30):
        posts.post_create(alice, body=f"zqxrebuild numéro {i}", visibility="organisation")
    index_now()
    made_meanwhile, calls = [], []

    def progress(n):
        calls.append(n)
        if len(calls) == 31:  # the last document read (alice and 30 posts): a change lands
            made_meanwhile.append(
                posts.post_create(alice, body="zqxrebuild pendant", visibility="organisation")
            )

    assert rebuild(progress=progress) == 31
    assert f"post:{made_meanwhile[0].pk}" in get_engine().digests()  # caught up before the swap
    index_now()
    assert search(alice, "zqxrebuild").total == 31


@pytest.mark.django_db
def test_a_post_is_saved_and_queued_while_the_cache_is_unreachable(
    settings, alice, django_capture_on_commit_callbacks
):
    """Redis down: the indexer's nudge fails quietly; the post and its queue row stay."""
    from django.core.cache import caches

    from tests.services import free_port

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post = posts.post_create(alice, body="Panne du cache #redis", visibility="organisation")
    finally:
        for name in list(caches.settings):
            caches[name].close()
    assert Post.objects.filter(pk=post.pk).exists()
    assert IndexEntry.objects.filter(kind="post", object_id=post.pk).exists()
