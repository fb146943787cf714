"""Writing the audit trail: `audit_record`, the one call every app makes for an event.

    audit_record("moderation.decided", actor=request.user, target=report, request=request,
                 decision="hidden")

kind names the event (`app.event`, see intranet.audit.kinds for those known); actor is
the agent who acted (None for the system: a sync, a task); target the object acted on
(any saved model instance); request gives the client's address (intranet.core.addresses,
behind trusted proxies). details are small JSON values describing what changed. Never
a password, a message body, a session key or a token: details named like one are
refused (ValueError), so a mistake shows in the tests rather than in the trail.

The entry is written in the caller's transaction: a change rolled back leaves no entry.
"""

import logging
import re

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from intranet.audit.models import AuditEntry
from intranet.core.addresses import client_address

logger = logging.getLogger("intranet.audit")

KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
# Detail names that could carry a secret or private text; refused whatever their value.
FORBIDDEN_DETAILS = re.compile(
    r"pass|secret|token|session|cookie|otp|body|(^|_)key$",
    re.IGNORECASE,
)
MAX_LABEL = 300


def _check(kind: str, details: dict) -> None:
    if not KIND_PATTERN.fullmatch(kind) or len(kind) > 64:
        raise ValueError(f"audit kind {kind!r} is not of the form app.event")
    for name in details:
        if FORBIDDEN_DETAILS.search(name):
            raise ValueError(f"audit detail {name!r} may carry a secret or private text")


def _actor(actor):
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, ""
    return actor, actor.get_username()[:150]


def audit_record(kind: str, *, actor, target=None, request=None, **details) -> AuditEntry:
    """Record one event; returns the entry (see the module docstring)."""
    _check(kind, details)
    user, label = _actor(actor)
    login = details.pop("login", None)  # the login typed (a failed sign-in has no actor)
    if login is not None and not label:
        label = str(login)[:150]
    entry = AuditEntry(
        created_at=timezone.now(),
        kind=kind,
        actor=user,
        actor_label=label,
        address=client_address(request) if request is not None else "",
        details=details,
    )
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(
            type(target), for_concrete_model=False
        )
        entry.target_id = str(target.pk)[:64]
        entry.target_label = str(target)[:MAX_LABEL]
    entry.save()
    return entry


def audit_entries_expired(before):
    """The entries older than before (retention: intranet.audit.retention)."""
    return AuditEntry.objects.filter(created_at__lt=before)
