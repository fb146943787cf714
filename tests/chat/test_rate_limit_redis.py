"""The chat rate limit's counter on Django's Redis cache, against a redis-server of our
own: one pipelined round trip per message (no EXISTS), and the key expires."""

import tempfile
from pathlib import Path

import pytest
import redis
from django.core.exceptions import ValidationError

from intranet.chat import services
from intranet.chat.services import messages
from tests.services import require_executable

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def redis_url():
    require_executable("redis-server", "apt-get install redis-server")
    from bench.realtime.cluster import Redis

    server = Redis(Path(tempfile.mkdtemp(prefix="transverse-rate-")))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def redis_cache(settings, redis_url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        }
    }
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    client.config_resetstat()
    return client


def test_counter_counts_in_one_round_trip_and_expires(redis_cache):
    assert [messages._count("chat-rate:test", timeout=70) for _ in range(3)] == [1, 2, 3]
    stats = redis_cache.info("commandstats")
    assert "cmdstat_exists" not in stats
    assert stats["cmdstat_set"]["calls"] == stats["cmdstat_incrby"]["calls"] == 3
    (key,) = redis_cache.keys("*chat-rate:test")
    assert 0 < redis_cache.ttl(key) <= 70


def test_rate_limit_on_redis(redis_cache, room, alice, settings):
    settings.TRANSVERSE_CHAT_RATE_PER_MINUTE = 2
    minute = messages.timezone.now().timestamp() // 60
    for n in range(2):
        services.message_send(alice, room.pk, body="Vite", idempotency_key=f"fast-{n:06d}")
    if messages.timezone.now().timestamp() // 60 != minute:
        pytest.skip("the minute changed between the sends")
    with pytest.raises(ValidationError) as exc:
        services.message_send(alice, room.pk, body="Trop", idempotency_key="fast-999999")
    assert exc.value.code == "rate_limited"
