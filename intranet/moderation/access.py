"""Who may see and handle reports. The only place that decides it."""

from django.db.models import Q, QuerySet
from django.http import Http404

from intranet.accounts.access import is_active_agent
from intranet.groups.access import member_roles
from intranet.groups.models import Membership
from intranet.moderation.models import Report


def moderated_group_ids(actor) -> list[int]:
    """Groups where actor is an animator or the owner (read with actor's memberships,
    once per request: the main menu's moderation link asks on every page)."""
    roles = (Membership.Role.ANIMATOR, Membership.Role.OWNER)
    return [group_id for group_id, role in member_roles(actor).items() if role in roles]


def visible_reports(actor) -> QuerySet[Report]:
    """Staff see every report; animators see those on content of their groups."""
    if not is_active_agent(actor):
        return Report.objects.none()
    if actor.is_staff:
        return Report.objects.all()
    return Report.objects.filter(Q(group_id__in=moderated_group_ids(actor)))


def can_moderate_anything(actor) -> bool:
    return is_active_agent(actor) and (actor.is_staff or bool(moderated_group_ids(actor)))


def access_report(actor, report_id) -> Report:
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise Http404 from None
    report = visible_reports(actor).select_related("post", "comment__post").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def can_edit_charter(actor) -> bool:
    return is_active_agent(actor) and actor.is_staff
