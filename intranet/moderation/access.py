"""Who may see and handle reports. The only place that decides it."""

from django.db.models import Q, QuerySet
from django.http import Http404

from intranet.accounts.access import is_active_agent
from intranet.groups.models import Membership
from intranet.moderation.models import Report


def moderated_group_ids(actor) -> list[int]:
    """Groups where actor is an animator or the owner."""
    return list(
        Membership.objects.filter(
            agent_id=actor.pk, role__in=[Membership.Role.ANIMATOR, Membership.Role.OWNER]
        ).values_list("group_id", flat=True)
    )


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
