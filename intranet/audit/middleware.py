"""The request being served, for events recorded deep in a service (their address).

Services take an actor, not a request; an event they record during a request still
says which address it came from: audit_record reads the request set here when it is
given none. Outside a request (a task, a command) there is none and no address.
"""

from contextvars import ContextVar

_current = ContextVar("audit_request", default=None)


def current_request():
    """The request served by this thread or task, or None."""
    return _current.get()


class AuditRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
