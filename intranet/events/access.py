"""Who sees and runs a group's sessions: the group's access model, and the tool being on.
A session's satisfaction survey is for its attendees (the agents marked present) and its
results for the group's animators; anybody else gets a 404."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from intranet.accounts.models import User
from intranet.events.models import Event, Registration, Survey
from intranet.groups.access import (
    access_group_tool,
    can_moderate_group,
    can_read_group_content,
    readable_group_ids_q,
)
from intranet.groups.models import Group, GroupTool, Membership

TOOL = "events"


def visible_events(actor) -> QuerySet[Event]:
    """The sessions actor may see: groups whose content they read, with the tool on."""
    if not actor.is_authenticated or not actor.is_active:
        return Event.objects.none()
    tool_on = GroupTool.objects.filter(group=OuterRef("group"), key=TOOL)
    return Event.objects.filter(readable_group_ids_q(actor)).filter(Exists(tool_on))


def event_audience(event: Event) -> QuerySet[User]:
    """The agents who may see event, all at once (visible_events' rules for a set of
    agents): active ones, every one of them in an open group, else the group's members and
    staff; nobody while the group's sessions tool is off. Reminders go only to them."""
    tool_on = GroupTool.objects.filter(group_id=event.group_id, key=TOOL)
    agents = User.objects.filter(Exists(tool_on), is_active=True)
    if event.group.policy == Group.Policy.OPEN:
        return agents
    member = Membership.objects.filter(group_id=event.group_id, agent_id=OuterRef("pk"))
    return agents.filter(Q(is_staff=True) | Exists(member))


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


def is_attendee(actor, event: Event) -> bool:
    return Registration.objects.filter(
        event=event,
        agent_id=actor.pk,
        status=Registration.Status.REGISTERED,
        attended=True,
    ).exists()


def visible_surveys(actor) -> QuerySet[Survey]:
    """The surveys actor may open: of the sessions they attended, in groups whose content
    they still read with the tool on (the notifications' re-check of survey targets).
    Correlated EXISTS only: the notification list re-checks every target type at once,
    and a list of the agent's groups here would cost one more query per list."""
    if not actor.is_authenticated or not actor.is_active:
        return Survey.objects.none()
    attended = Registration.objects.filter(
        event=OuterRef("event"),
        agent_id=actor.pk,
        status=Registration.Status.REGISTERED,
        attended=True,
    )
    tool_on = GroupTool.objects.filter(group=OuterRef("event__group"), key=TOOL)
    surveys = Survey.objects.filter(Exists(attended), Exists(tool_on))
    if actor.is_staff:
        return surveys
    member = Membership.objects.filter(group=OuterRef("event__group"), agent_id=actor.pk)
    return surveys.filter(Q(Exists(member)) | Q(event__group__policy=Group.Policy.OPEN))


def access_survey(actor, slug: str, event_id) -> Survey:
    """The survey of the session event_id for one of its attendees; 404 for anybody else,
    and while the session has no survey (it has not ended yet)."""
    event = access_event(actor, slug, event_id)
    survey = Survey.objects.filter(event=event).select_related("event__group").first()
    if survey is None or not is_attendee(actor, event):
        raise Http404
    return survey


def can_see_survey_results(actor, group) -> bool:
    """The group's animators (and owners, staff), archived group or not."""
    return can_moderate_group(actor, group)
