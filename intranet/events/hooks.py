"""The "session ended with attendees" hook: a registry higher apps fill.

Once a session has ended, the scheduled task `intranet.events.tasks.sessions_ended`
calls every registered function once per session (the session is claimed before the
calls, so a second run never calls them again) with the session and the list of agents
marked as present, e.g. the satisfaction survey (polls):

    from intranet.events.hooks import session_ended_register

    session_ended_register(send_satisfaction_survey)  # fn(event, attendees)

A function that raises is logged; the others still run.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

_hooks: list[Callable] = []


def session_ended_register(fn: Callable) -> None:
    """Call fn(event, attendees) once for each session after it ends (idempotent)."""
    if fn not in _hooks:
        _hooks.append(fn)


def session_ended_unregister(fn: Callable) -> None:
    if fn in _hooks:
        _hooks.remove(fn)


def session_ended_emit(event, attendees) -> None:
    for fn in list(_hooks):
        try:
            fn(event, attendees)
        except Exception:
            logger.exception("session-ended hook %r failed for event %s", fn, event.pk)


# The "attendance marked" hook: fn(event, present_ids) after an animator marks attendance,
# inside the same transaction (each call in a savepoint: one that raises is logged and
# undone alone), with the ids of the agents now marked present. The learning paths tick
# the steps on this session with it.
_attendance_hooks: list[Callable] = []


def attendance_register(fn: Callable) -> None:
    if fn not in _attendance_hooks:
        _attendance_hooks.append(fn)


def attendance_emit(event, present_ids) -> None:
    from django.db import transaction

    for fn in list(_attendance_hooks):
        try:
            with transaction.atomic():
                fn(event, present_ids)
        except Exception:
            logger.exception("attendance hook %r failed for event %s", fn, event.pk)
