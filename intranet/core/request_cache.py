"""A cache that lives for one HTTP request only.

Access checks read the same facts many times while a page renders (an agent's groups,
say). Outside a request (WebSocket consumers, tasks, commands) nothing is cached, so a
long-lived connection always sees the database as it is now.
"""

from contextvars import ContextVar

_cache: ContextVar[dict | None] = ContextVar("transverse_request_cache", default=None)


def request_cached(key, compute):
    store = _cache.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def request_cache_forget(key) -> None:
    store = _cache.get()
    if store is not None:
        store.pop(key, None)


class RequestCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _cache.set({})
        try:
            return self.get_response(request)
        finally:
            _cache.reset(token)
