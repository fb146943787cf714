"""The Redis cache, failing soft: Redis away is a cache miss, logged once, never an error.

Every page reads the cache (branding, rendered posts) and Redis may be stopped, restarted
or unreachable while the site runs. Each operation of Django's RedisCache is wrapped: a
Redis error gives what an empty cache gives (a miss, a no-op, `add` stored as if by
DummyCache so that callers go on) and marks the server down. While it is down, operations
do not try Redis at all for RETRY_SECONDS (a page pays no connection attempt), then one
caller tries again, so a restarted Redis is used again within seconds. The outage is
logged once when it starts, summarised every SUMMARY_SECONDS while it lasts (operations
skipped), and once when it ends, instead of a traceback per call.

One Redis client (and connection pool) per server and process: Django creates a cache
object per thread or ASGI request, and each would otherwise open connections of its own.
Its state, shared the same way, is what makes "logged once" hold across threads.

redis_settings() gives the CACHES and CHANNEL_LAYERS of a site on Redis (settings.py and
the tests use it), both prefixed with the instance's name (intranet.core.instance).
"""

import logging
import threading
import time
from urllib.parse import urlsplit

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

RETRY_SECONDS = 2.0  # while down, how long operations skip Redis before one tries again
SUMMARY_SECONDS = 60.0  # while down, how often a summary line is logged
FAILURES = (redis.RedisError, OSError)

_clients: dict[tuple, "SharedClient"] = {}
_clients_lock = threading.Lock()


def server_label(url: str) -> str:
    """host:port/db of a Redis URL, without the password it may carry."""
    parts = urlsplit(url)
    if not parts.hostname:  # unix:///run/redis/redis.sock
        return parts.path
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}"


class Outage:
    """Whether one Redis server is reachable, as this process last saw it."""

    def __init__(self, label: str):
        self.label = label
        self._lock = threading.Lock()
        self.since: float | None = None  # monotonic time the outage began; None: up
        self._retry_at = 0.0
        self._summary_at = 0.0
        self._skipped = 0

    def skip(self) -> bool:
        """True when this operation should not try Redis (down, and not yet time to retry)."""
        if self.since is None:
            return False
        now = time.monotonic()
        with self._lock:
            if self.since is None:
                return False
            if now >= self._retry_at:  # this caller tries; the others keep skipping meanwhile
                self._retry_at = now + RETRY_SECONDS
                return False
            self._skipped += 1
            self._summarise(now)
            return True

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self._retry_at = now + RETRY_SECONDS
            self._skipped += 1
            if self.since is not None:
                self._summarise(now)
                return
            self.since, self._summary_at = now, now + SUMMARY_SECONDS
        logger.error(
            "cache unreachable (Redis at %s): %s: %s. Pages work without it; "
            "this is logged once, then every %.0f s until Redis answers again.",
            self.label,
            type(error).__name__,
            error,
            SUMMARY_SECONDS,
        )

    def succeeded(self) -> None:
        if self.since is None:
            return
        with self._lock:
            if self.since is None:
                return
            lasted, skipped = time.monotonic() - self.since, self._skipped
            self.since, self._skipped = None, 0
        logger.warning(
            "cache reachable again (Redis at %s) after %.0f s; %d cache operations were "
            "answered as misses meanwhile.",
            self.label,
            lasted,
            skipped,
        )

    def _summarise(self, now: float) -> None:  # called with the lock held
        if now < self._summary_at:
            return
        self._summary_at = now + SUMMARY_SECONDS
        logger.error(
            "cache still unreachable (Redis at %s) for %.0f s; %d cache operations answered "
            "as misses so far.",
            self.label,
            now - self.since,
            self._skipped,
        )


class SharedClient:
    """Django's Redis client and the server's outage state, one per process and server."""

    def __init__(self, servers: list[str], options: dict):
        self.client = RedisCacheClient(servers, **options)
        self.outage = Outage(", ".join(server_label(url) for url in servers))


def shared_client(servers: list[str], options: dict) -> SharedClient:
    key = (tuple(servers), repr(sorted(options.items())))
    with _clients_lock:
        found = _clients.get(key)
        if found is None:
            found = _clients[key] = SharedClient(servers, options)
        return found


class FailSoftRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache that answers as an empty cache while
    Redis is unreachable (see the module docstring). Same settings as RedisCache."""

    @cached_property
    def _shared(self) -> SharedClient:
        return shared_client(self._servers, self._options)

    @cached_property
    def _cache(self):
        return self._shared.client

    def _soft(self, fallback, operation, *args):
        outage = self._shared.outage
        if outage.skip():
            return fallback
        try:
            result = operation(*args)
        except FAILURES as error:
            outage.failed(error)
            return fallback
        outage.succeeded()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._soft(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._soft(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._soft({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._soft(None, super().incr, key, delta, version)
        if result is None:  # as for a key that is not there (Django's contract for incr)
            raise ValueError(f"Key {key!r} not found (the cache is unreachable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._soft(None, super().delete_many, keys, version)

    def clear(self):
        return self._soft(False, super().clear)


def redis_settings(url: str, instance: str) -> tuple[dict, dict]:
    """CACHES and CHANNEL_LAYERS for a site whose Redis is at url, named instance."""
    caches = {
        "default": {
            "BACKEND": "intranet.core.redis_cache.FailSoftRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": instance,
            # An unreachable host costs a page a second at most, once per RETRY_SECONDS.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    channel_layers = {
        "default": {
            "BACKEND": "realtime.layers.RedisPubSubChannelLayer",  # batched subscriptions
            # Pub/sub ignores the database number: the prefix keeps sites apart.
            "CONFIG": {"hosts": [url], "prefix": f"{instance}."},
        }
    }
    return caches, channel_layers
