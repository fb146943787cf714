"""With REDIS_URL, the channel layer and the cache (as settings.py configures them) use
the machine's real Redis."""

import pytest
from channels.layers import get_channel_layer
from django.core.cache import caches

from intranet.core.redis_cache import redis_settings
from tests.services import missing_service, tcp_open

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def on_redis(settings):
    if not tcp_open("127.0.0.1", 6379):
        missing_service("Redis is not listening on 127.0.0.1:6379")
    settings.CACHES, settings.CHANNEL_LAYERS = redis_settings(REDIS_URL, "transverse-test")
    return settings


async def test_channel_layer_round_trip_through_redis(on_redis):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("smoke", channel)
    await layer.group_send("smoke", {"type": "hello", "text": "bonjour"})
    message = await layer.receive(channel)
    assert message == {"type": "hello", "text": "bonjour"}
    await layer.group_discard("smoke", channel)
    await layer.flush()


def test_cache_through_redis(on_redis):
    cache = caches.create_connection("default")
    cache.set("transverse-test", "é", 5)
    assert cache.get("transverse-test") == "é"
    cache.delete("transverse-test")
