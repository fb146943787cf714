"""With REDIS_URL, the channel layer and the cache use the machine's real Redis."""

import pytest
from channels.layers import get_channel_layer
from django.core.cache import caches

from tests.services import missing_service, tcp_open

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_settings(settings):
    if not tcp_open("127.0.0.1", 6379):
        missing_service("Redis is not listening on 127.0.0.1:6379")
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    return settings


async def test_channel_layer_round_trip_through_redis(redis_settings):
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("smoke", channel)
    await layer.group_send("smoke", {"type": "hello", "text": "bonjour"})
    message = await layer.receive(channel)
    assert message == {"type": "hello", "text": "bonjour"}
    await layer.group_discard("smoke", channel)
    await layer.flush()


def test_cache_through_redis(redis_settings):
    cache = caches.create_connection("default")
    cache.set("transverse-test", "é", 5)
    assert cache.get("transverse-test") == "é"
    cache.delete("transverse-test")
