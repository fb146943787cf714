"""Who may see and do what with groups. The only place that decides it.

Rules:
- open and closed groups are visible to every active agent; secret groups only to their
  members (and to staff, who administer the site);
- group content (posts, comments, chat, documents) is readable by members, and also by
  every active agent when the group is open;
- animators and owners hold django-guardian object permissions (moderate_group,
  manage_members, administer_group), granted with the role by the services;
- an archived group is read-only for everyone.
An object the actor may not see is answered with 404, exactly like a missing one.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from guardian.core import ObjectPermissionChecker

from intranet.accounts.access import is_active_agent
from intranet.core.request_cache import request_cache_forget, request_cached
from intranet.groups.models import Group, Membership

PERM_MODERATE = "groups.moderate_group"
PERM_MANAGE_MEMBERS = "groups.manage_members"
PERM_ADMINISTER = "groups.administer_group"


def member_roles(actor) -> dict[int, str]:
    """{group id: role} of actor's memberships (read once per HTTP request, fresh
    elsewhere): the page frame asks both for the groups (access rules) and for the ones
    actor animates (the moderation link), one query answers both."""
    if not is_active_agent(actor):
        return {}
    return request_cached(("member_roles", actor.pk), lambda: _read_member_roles(actor.pk))


def _read_member_roles(agent_id: int) -> dict[int, str]:
    # Plain SQL: asked by every page and every socket command, and the ORM's compilation
    # of this one-table read cost four times its execution.
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(_MEMBER_ROLES_SQL, [agent_id])
        return dict(cursor.fetchall())


_MEMBER_ROLES_SQL = "SELECT group_id, role FROM groups_membership WHERE agent_id = %s"


def member_group_ids(actor) -> frozenset[int]:
    """Ids of the groups actor belongs to (read once per HTTP request, fresh elsewhere)."""
    return frozenset(member_roles(actor))


def forget_memberships(actor) -> None:
    """Drop the cached memberships after actor's memberships or roles changed."""
    if actor is not None:
        request_cache_forget(("member_roles", actor.pk))


def visible_groups(actor) -> QuerySet[Group]:
    if not is_active_agent(actor):
        return Group.objects.none()
    if actor.is_staff:
        return Group.objects.all()
    is_member = Membership.objects.filter(group=OuterRef("pk"), agent_id=actor.pk)
    return Group.objects.filter(~Q(policy=Group.Policy.SECRET) | Exists(is_member))


def readable_group_ids_q(actor, field: str = "group") -> Q:
    """A Q on `field` (a FK to Group) for content actor may read: members' or open groups'."""
    if actor.is_staff:
        return Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}_id__in": member_group_ids(actor)}) | Q(
        **{f"{field}__policy": Group.Policy.OPEN}
    )


def membership_of(actor, group: Group) -> Membership | None:
    if not is_active_agent(actor):
        return None
    return Membership.objects.filter(group=group, agent_id=actor.pk).first()


def is_member(actor, group: Group) -> bool:
    return group.pk in member_group_ids(actor)


def can_see_group(actor, group: Group) -> bool:
    if not is_active_agent(actor):
        return False
    return actor.is_staff or group.policy != Group.Policy.SECRET or is_member(actor, group)


def can_read_group_content(actor, group: Group) -> bool:
    if not is_active_agent(actor):
        return False
    return actor.is_staff or group.policy == Group.Policy.OPEN or is_member(actor, group)


def _has_group_perm(actor, perm: str, group: Group) -> bool:
    """actor.has_perm(perm, group) through guardian, its answers read once per request.

    One guardian checker per agent and request: it loads the agent's permissions on a
    group once (instead of two queries for every can_* asked by a page).
    """
    if not is_active_agent(actor):
        return False
    if actor.is_superuser:
        return True
    checker = request_cached(("group_perms", actor.pk), lambda: ObjectPermissionChecker(actor))
    return checker.has_perm(perm, group)


def forget_group_perms(actor) -> None:
    """Drop the cached permissions after actor's role changed."""
    if actor is not None:
        request_cache_forget(("group_perms", actor.pk))
        # Read from these permissions once per request by a higher app (the groups whose
        # library actor animates: documents' animator_group_ids), under this key.
        request_cache_forget(("document_animator_groups", actor.pk))
        forget_memberships(actor)  # the roles cached with them


def can_moderate_group(actor, group: Group) -> bool:
    return (is_active_agent(actor) and actor.is_staff) or _has_group_perm(
        actor, PERM_MODERATE, group
    )


def can_manage_members(actor, group: Group) -> bool:
    if group.is_archived:
        return False
    return (is_active_agent(actor) and actor.is_staff) or _has_group_perm(
        actor, PERM_MANAGE_MEMBERS, group
    )


def can_administer_group(actor, group: Group) -> bool:
    return (is_active_agent(actor) and actor.is_staff) or _has_group_perm(
        actor, PERM_ADMINISTER, group
    )


def can_post_in_group(actor, group: Group) -> bool:
    return not group.is_archived and is_member(actor, group)


def can_join_group(actor, group: Group) -> bool:
    """Open groups: join at once. Closed groups: ask. Secret groups: invitation only."""
    return (
        is_active_agent(actor)
        and not group.is_archived
        and group.policy == Group.Policy.OPEN
        and not is_member(actor, group)
    )


def can_request_to_join(actor, group: Group) -> bool:
    return (
        is_active_agent(actor)
        and not group.is_archived
        and group.policy == Group.Policy.CLOSED
        and not is_member(actor, group)
    )


def access_group(actor, slug: str, *, for_write: bool = False) -> Group:
    """The group at slug if actor may see it (404 otherwise); for_write needs administer."""
    group = visible_groups(actor).filter(slug=str(slug)[:140]).first()
    if group is None:
        raise Http404
    if for_write and not can_administer_group(actor, group):
        raise PermissionDenied
    return group


def access_group_by_id(actor, group_id) -> Group:
    try:
        pk = int(group_id)
    except (TypeError, ValueError):
        raise Http404 from None
    group = visible_groups(actor).filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


def can_manage_tools(actor, group: Group) -> bool:
    """Animators and owners (and staff) switch a group's tools on or off."""
    return not group.is_archived and can_moderate_group(actor, group)


def access_group_tool(actor, slug: str, key: str) -> Group:
    """The group at slug when actor may read its content and the tool `key` is on for it:
    404 otherwise (a tool that is off is answered like a page that does not exist)."""
    from intranet.groups.tools import tool_enabled

    group = access_group(actor, slug)
    if not can_read_group_content(actor, group) or not tool_enabled(group, key):
        raise Http404
    return group
