"""Reads: an agent's exports, and the agents staff may act on."""

from django.contrib.auth import get_user_model
from django.http import Http404

from intranet.privacy.access import can_manage_personal_data, visible_exports
from intranet.privacy.models import DataExport


def exports_of(actor, agent=None):
    """The exports of agent, newest first; without agent, those actor may download (their
    own and those they produced for someone)."""
    exports = DataExport.objects.filter(agent=agent) if agent else visible_exports(actor)
    return exports.select_related("agent")[:20]


def agent_for_staff(actor, agent_id):
    """The agent staff act on: 404 for non-staff and for an unknown id."""
    if not can_manage_personal_data(actor):
        raise Http404
    try:
        return get_user_model().objects.get(pk=int(agent_id))
    except (TypeError, ValueError, OverflowError, get_user_model().DoesNotExist):
        raise Http404 from None


def leavers_for_staff(actor, *, query: str = ""):
    """Deactivated agents not anonymised yet, by name (staff only, else 404)."""
    from intranet.core.text import fold
    from intranet.privacy.models import Erasure

    if not can_manage_personal_data(actor):
        raise Http404
    done = Erasure.objects.values("agent_id")
    agents = get_user_model().objects.filter(is_active=False).exclude(pk__in=done)
    if query:
        agents = agents.filter(sort_name__contains=fold(query)[:100])
    return agents.order_by("sort_name")[:100]
