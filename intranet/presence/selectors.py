"""Reads of presence: an agent's state from the fresh rows of their sockets."""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from intranet.presence.models import Presence

PRESENCE_TIMEOUT = timedelta(seconds=90)


def presence_states(agent_ids) -> dict[int, str]:
    """online (a fresh socket not away), away (only away sockets) or offline, per agent."""
    fresh = timezone.now() - PRESENCE_TIMEOUT
    rows = (
        Presence.objects.filter(agent_id__in=agent_ids, seen_at__gte=fresh)
        .values("agent_id")
        .annotate(sockets=Count("pk"), active=Count("pk", filter=Q(away=False)))
    )
    states = dict.fromkeys(agent_ids, "offline")
    for row in rows:
        states[row["agent_id"]] = "online" if row["active"] else "away"
    return states


def other_active_sockets(agent_id: int, channel_name: str, since):
    """The agent's other sockets, active (not away) and seen since `since`."""
    return Presence.objects.filter(agent_id=agent_id, away=False, seen_at__gte=since).exclude(
        channel_name=channel_name
    )
