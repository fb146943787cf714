"""Presence: one row per open socket, so online/away/offline is right across tabs and
processes; changes are announced after commit."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from intranet.chat import selectors
from intranet.chat.models import (
    Presence,
)
from intranet.groups.access import is_active_agent
from realtime import publish


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _presence_change(agent_id: int, change) -> str:
    before = selectors.presence_states([agent_id])[agent_id]
    change()
    after = selectors.presence_states([agent_id])[agent_id]
    if after != before:
        transaction.on_commit(lambda: publish.publish_presence(agent_id, after))
    return after


@transaction.atomic
def presence_connect(actor, channel_name: str) -> str:
    _require(is_active_agent(actor))
    stale = timezone.now() - selectors.PRESENCE_TIMEOUT
    Presence.objects.filter(agent_id=actor.pk, seen_at__lt=stale).delete()
    return _presence_change(
        actor.pk,
        lambda: Presence.objects.update_or_create(
            channel_name=channel_name,
            defaults={"agent_id": actor.pk, "away": False, "seen_at": timezone.now()},
        ),
    )


@transaction.atomic
def presence_update(actor, channel_name: str, *, away: bool | None = None) -> str:
    """A heartbeat (away None) or a change between active and away for one socket."""
    fields = {"seen_at": timezone.now()}
    if away is not None:
        fields["away"] = bool(away)
    return _presence_change(
        actor.pk,
        lambda: Presence.objects.filter(channel_name=channel_name, agent_id=actor.pk).update(
            **fields
        ),
    )


@transaction.atomic
def presence_disconnect(agent_id: int, channel_name: str) -> str:
    return _presence_change(
        agent_id, lambda: Presence.objects.filter(channel_name=channel_name).delete()
    )
