"""Who sees and runs a group's sessions: the group's access model, and the tool being on."""

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from intranet.events.models import Event
from intranet.groups.access import (
    access_group_tool,
    can_moderate_group,
    can_read_group_content,
    readable_group_ids_q,
)
from intranet.groups.models import GroupTool

TOOL = "events"


def visible_events(actor) -> QuerySet[Event]:
    """The sessions actor may see: groups whose content they read, with the tool on."""
    if not actor.is_authenticated or not actor.is_active:
        return Event.objects.none()
    tool_on = GroupTool.objects.filter(group=OuterRef("group"), key=TOOL)
    return Event.objects.filter(readable_group_ids_q(actor)).filter(Exists(tool_on))


def can_manage_events(actor, group) -> bool:
    """Animators (and owners, staff) create sessions, mark attendance, export attendees."""
    return not group.is_archived and can_moderate_group(actor, group)


def can_register(actor, group) -> bool:
    return not group.is_archived and can_read_group_content(actor, group)


def access_event(actor, slug: str, event_id) -> Event:
    """The session event_id of the group at slug if actor may see it: 404 otherwise."""
    group = access_group_tool(actor, slug, TOOL)
    try:
        pk = int(event_id)
    except (TypeError, ValueError):
        raise Http404 from None
    event = Event.objects.filter(group=group, pk=pk).select_related("group").first()
    if event is None:
        raise Http404
    return event
