"""Who may see and do what with themes and ambassadors. The only place that decides it.

- every active agent sees active themes, their serving ambassadors, the coverage matrix
  and the expert finder; staff also see inactive themes;
- staff define themes;
- a department's ambassadors are designated by the animators of the department's group
  (those who may manage its members, see groups.access) or by staff;
- an invitation is answered by the invited agent only; a mandate is ended by the agent,
  by the department's animators or by staff;
- an ambassador row is visible to its agent, to those who may designate in its department
  and to staff; anyone else gets 404, like a missing one.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from intranet.departments.models import Department
from intranet.experts.models import Ambassador, Theme
from intranet.groups.access import can_manage_members, is_active_agent
from intranet.groups.models import Group


def can_manage_themes(actor) -> bool:
    return is_active_agent(actor) and actor.is_staff


def visible_themes(actor) -> QuerySet[Theme]:
    if not is_active_agent(actor):
        return Theme.objects.none()
    if actor.is_staff:
        return Theme.objects.all()
    return Theme.objects.filter(is_active=True)


def access_theme(actor, slug: str, *, for_write: bool = False) -> Theme:
    theme = visible_themes(actor).filter(slug=str(slug)[:120]).first()
    if theme is None:
        raise Http404
    if for_write and not can_manage_themes(actor):
        raise PermissionDenied
    return theme


def can_designate_ambassadors(actor, department: Department) -> bool:
    if not is_active_agent(actor):
        return False
    if actor.is_staff:
        return True
    group = Group.objects.filter(department=department).first()
    return group is not None and can_manage_members(actor, group)


def designable_departments(actor) -> QuerySet[Department]:
    """Departments where actor may designate ambassadors."""
    if not is_active_agent(actor):
        return Department.objects.none()
    departments = Department.objects.filter(is_active=True)
    if actor.is_staff:
        return departments
    groups = [
        g
        for g in Group.objects.filter(department__in=departments, archived_at=None)
        .filter(memberships__agent=actor)
        .select_related("department")
        if can_manage_members(actor, g)
    ]
    return departments.filter(pk__in=[g.department_id for g in groups])


def can_see_ambassador(actor, ambassador: Ambassador) -> bool:
    return is_active_agent(actor) and (
        actor.pk == ambassador.agent_id
        or ambassador.status == Ambassador.Status.ACTIVE
        or can_designate_ambassadors(actor, ambassador.department)
    )


def can_end_ambassador(actor, ambassador: Ambassador) -> bool:
    return ambassador.status in (Ambassador.Status.INVITED, Ambassador.Status.ACTIVE) and (
        actor.pk == ambassador.agent_id or can_designate_ambassadors(actor, ambassador.department)
    )


def access_ambassador(actor, ambassador_id, *, for_write: bool = False) -> Ambassador:
    """The ambassador row if actor may see it (404 otherwise); for_write: may end it (403)."""
    try:
        pk = int(ambassador_id)
    except (TypeError, ValueError):
        raise Http404 from None
    ambassador = (
        Ambassador.objects.select_related("agent", "department", "theme").filter(pk=pk).first()
    )
    if ambassador is None or not can_see_ambassador(actor, ambassador):
        raise Http404
    if for_write and not can_end_ambassador(actor, ambassador):
        raise PermissionDenied
    return ambassador


def ambassador_invitations(actor) -> QuerySet[Ambassador]:
    """actor's own ambassador rows: invitations to answer, mandates, past ones."""
    if not is_active_agent(actor):
        return Ambassador.objects.none()
    return Ambassador.objects.filter(agent=actor)
