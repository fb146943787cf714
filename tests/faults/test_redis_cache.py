"""The site's cache with Redis stopped and started again (a redis-server of the test's own).

Redis away is an empty cache: misses and no-ops, never an exception; the outage is logged
once (and a line when it ends), not per call; a restarted Redis is used again by itself.
"""

import logging
import socket
import threading
import time

import pytest
import redis
from django.core.cache import caches

from intranet.core import redis_cache
from intranet.core.redis_cache import redis_settings
from tests.waiting import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.filterwarnings("ignore::ResourceWarning")]


@pytest.fixture
def cache(settings, own_redis):
    """The cache as settings.py configures it with REDIS_URL, on our own Redis."""
    settings.CACHES, _layers = redis_settings(own_redis.url, "fault-test")
    return caches["default"]


def test_every_operation_answers_as_an_empty_cache_while_redis_is_stopped(cache, own_redis):
    cache.set("branding", "bleu", 60)
    assert cache.get("branding") == "bleu"
    own_redis.stop()
    assert cache.get("branding") is None
    assert cache.get("branding", "défaut") == "défaut"
    assert cache.get_many(["branding", "other"]) == {}
    assert cache.has_key("branding") is False
    assert cache.add("kick", 1, 5) is True  # as DummyCache: callers go on as if stored
    cache.set("branding", "rouge", 60)
    assert cache.set_many({"a": 1, "b": 2}, 60) == ["a", "b"]  # the keys not stored
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    assert cache.delete("branding") is False
    cache.delete_many(["a", "b"])
    assert cache.touch("branding", 10) is False
    assert cache.get_or_set("computed", lambda: "calculé", 60) == "calculé"


def test_a_restarted_redis_is_used_again(cache, own_redis):
    own_redis.stop()
    assert cache.get("key") is None
    own_redis.start()  # same port, empty

    def stored():
        cache.set("key", "revenu", 60)
        return cache.get("key") == "revenu"

    wait_until(stored)


def test_an_outage_is_logged_once_then_when_it_ends(cache, own_redis, caplog):
    caplog.set_level(logging.INFO, logger="intranet.core.redis_cache")
    assert cache.get("key") is None
    own_redis.stop()
    for _ in range(200):
        cache.get_many(["a", "b"])
        cache.set("key", "valeur", 60)
    down = [r for r in caplog.records if r.name == "intranet.core.redis_cache"]
    assert len(down) == 1, [r.getMessage() for r in down]
    assert "cache unreachable" in down[0].getMessage()
    assert down[0].exc_info is None  # one line, not a traceback per call
    own_redis.start()
    wait_until(lambda: (cache.set("key", "v", 60), cache.get("key"))[1] == "v")
    back = [r.getMessage() for r in caplog.records if r.name == "intranet.core.redis_cache"]
    assert len(back) == 2 and "cache reachable again" in back[1], back


def test_a_long_outage_is_summarised_not_repeated(cache, own_redis, caplog, monkeypatch):
    monkeypatch.setattr(redis_cache, "SUMMARY_SECONDS", 0.2)
    monkeypatch.setattr(redis_cache, "RETRY_SECONDS", 0.05)
    caplog.set_level(logging.INFO, logger="intranet.core.redis_cache")
    own_redis.stop()
    started = time.monotonic()
    calls = 0
    while time.monotonic() - started < 1.0:  # a workload, not a wait: calls all along
        cache.get("key")
        calls += 1
    lines = [r.getMessage() for r in caplog.records if r.name == "intranet.core.redis_cache"]
    assert lines[0].startswith("cache unreachable")
    summaries = [line for line in lines[1:] if line.startswith("cache still unreachable")]
    assert summaries and len(lines) == 1 + len(summaries)
    assert len(lines) < calls / 10  # a line per period, not per call


class ClosingServer:
    """A TCP server that accepts connections and closes them at once (a Redis that
    answers nothing), counting the connections it was asked for."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"redis://127.0.0.1:{self.sock.getsockname()[1]}/0"
        self.accepted = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self):
        self.sock.close()


def test_while_down_operations_do_not_try_redis_until_the_retry(settings):
    """Between retries, operations skip Redis: a page pays no connection attempt."""
    server = ClosingServer()
    try:
        settings.CACHES, _layers = redis_settings(server.url, "fault-test")
        cache = caches["default"]
        assert cache.get("key") is None  # notices the outage
        noticed = server.accepted
        assert noticed >= 1
        for _ in range(200):
            assert cache.get("key") is None
        assert server.accepted - noticed <= 4  # one retry at most (redis-py retries it)
    finally:
        server.close()


def test_cache_objects_of_threads_share_one_connection(cache, own_redis):
    """Django makes a cache object per thread (and per ASGI request); one connection
    pool serves them all instead of a connection each."""
    threads_count, turn = 20, threading.Lock()
    all_read = threading.Barrier(threads_count + 1)

    def read():
        with turn:  # one at a time: a shared pool needs one connection
            caches["default"].get("key")
        all_read.wait(10)  # every thread, and its cache object, still alive

    threads = [threading.Thread(target=read) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    all_read.wait(10)
    connected = redis.Redis.from_url(own_redis.url).info("clients")["connected_clients"]
    for thread in threads:
        thread.join()
    assert connected <= 3  # ours (INFO), the pool's, and the fixture's at most
