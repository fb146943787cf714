"""Reads about groups: the directory, similar groups, members and requests."""

from django.db.models import Count, Q, QuerySet

from intranet.accounts.models import User
from intranet.core.text import fold
from intranet.groups.access import member_group_ids, visible_groups
from intranet.groups.models import Group, Invitation, JoinRequest, Membership
from intranet.topics.services import topic_key


def group_directory(
    actor, *, q="", theme="", kind="", department=None, mine=False
) -> QuerySet[Group]:
    groups = visible_groups(actor)
    for term in fold(q).split()[:6]:
        groups = groups.filter(name_key__contains=term)
    if theme:
        groups = groups.filter(themes__key=topic_key(theme))
    if kind:
        groups = groups.filter(kind=kind)
    if department is not None:
        groups = groups.filter(
            Q(department__path__startswith=department.path)
            | Q(memberships__agent__department__path__startswith=department.path)
        )
    if mine:
        groups = groups.filter(pk__in=member_group_ids(actor))
    return (
        groups.annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related("themes")
        .distinct()
        .order_by("-is_official", "name_key", "pk")
    )


def similar_groups(actor, *, name: str, themes=(), limit: int = 5) -> list[Group]:
    """Visible groups with a shared theme or a name sharing a significant word."""
    words = [w for w in fold(name).split() if len(w) >= 4][:6]
    q = Q()
    for word in words:
        q |= Q(name_key__contains=word)
    keys = [topic_key(t) for t in themes]
    if keys:
        q |= Q(themes__key__in=keys)
    if not q:
        return []
    groups = visible_groups(actor).filter(q, archived_at__isnull=True).distinct()
    return list(groups.annotate(member_count=Count("memberships", distinct=True))[:limit])


def group_members(group: Group) -> list[Membership]:
    return list(
        Membership.objects.filter(group=group)
        .select_related("agent__department")
        .order_by("-role", "agent__sort_name")
    )


def pending_requests(group: Group) -> list[JoinRequest]:
    return list(
        JoinRequest.objects.filter(group=group, status=JoinRequest.Status.PENDING)
        .select_related("agent__department")
        .order_by("created_at")
    )


def my_invitations(actor) -> list[Invitation]:
    return list(
        Invitation.objects.filter(agent_id=actor.pk, status=Invitation.Status.PENDING)
        .select_related("group", "invited_by")
        .order_by("-created_at")
    )


def has_pending_request(actor, group: Group) -> bool:
    return JoinRequest.objects.filter(
        group=group, agent_id=actor.pk, status=JoinRequest.Status.PENDING
    ).exists()


def member_count(group: Group) -> int:
    return Membership.objects.filter(group=group, agent__is_active=True).count()


def group_animators(group: Group) -> list[User]:
    """The group's active animators and owners (who handle its join requests)."""
    return list(
        User.objects.filter(
            memberships__group=group,
            memberships__role__in=[Membership.Role.ANIMATOR, Membership.Role.OWNER],
            is_active=True,
        )
    )
