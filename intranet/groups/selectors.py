"""Reads about groups: the directory, similar groups, members and requests."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from intranet.accounts.models import User
from intranet.core.text import fold
from intranet.groups.access import (
    can_join_group,
    can_request_to_join,
    member_group_ids,
    visible_groups,
)
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
        with_last_activity(groups.annotate(member_count=Count("memberships", distinct=True)))
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


def department_group(actor, department) -> Group | None:
    """The group of department (its kind is "department"), if actor may see it."""
    return (
        visible_groups(actor)
        .filter(department=department, kind=Group.Kind.DEPARTMENT, archived_at__isnull=True)
        .first()
    )


def _posts_model():
    # The group's posts are stream's, a higher app: reached through the relation, by name.
    return Group._meta.get_field("posts").related_model


def with_last_activity(groups: QuerySet[Group]) -> QuerySet[Group]:
    """groups with `last_post_at`: the date of the latest live post in each (one subquery)."""
    posts = _posts_model().objects.filter(
        group=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True
    )
    return groups.annotate(
        last_post_at=Subquery(posts.order_by("-created_at").values("created_at")[:1])
    )


def pending_request_group_ids(actor) -> frozenset[int]:
    """Ids of the groups actor asked to join and is still waiting for."""
    if not getattr(actor, "pk", None):
        return frozenset()
    return frozenset(
        JoinRequest.objects.filter(
            agent_id=actor.pk, status=JoinRequest.Status.PENDING
        ).values_list("group_id", flat=True)
    )


def with_card_actions(actor, groups) -> list[Group]:
    """The groups, each told what actor may do from its card: join, ask, or wait."""
    groups = list(groups)
    pending = pending_request_group_ids(actor) if groups else frozenset()
    for group in groups:
        group.card_can_join = can_join_group(actor, group)
        group.card_can_request = can_request_to_join(actor, group) and group.pk not in pending
        group.card_pending = group.pk in pending
    return groups


def suggested_groups(actor, *, limit: int = 6) -> list[Group]:
    """Groups to suggest to actor: their department's group first, then the most followed
    open or closed thematic groups they are not in (for the welcome and an empty feed)."""
    mine = member_group_ids(actor)
    visible = visible_groups(actor).filter(archived_at__isnull=True).exclude(pk__in=mine)
    suggestions: list[Group] = []
    if getattr(actor, "department_id", None):
        own = visible.filter(department_id=actor.department_id).first()
        if own is not None:
            suggestions.append(own)
    popular = (
        visible.filter(kind=Group.Kind.THEMATIC)
        .exclude(policy=Group.Policy.SECRET)
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("-is_official", "-member_count", "name_key")
        .values_list("pk", flat=True)[:limit]
    )
    ids = [g.pk for g in suggestions] + [
        pk for pk in popular if pk not in {g.pk for g in suggestions}
    ]
    ids = ids[:limit]
    cards = with_last_activity(
        Group.objects.filter(pk__in=ids).annotate(member_count=Count("memberships", distinct=True))
    ).prefetch_related("themes")
    by_id = {group.pk: group for group in cards}
    return with_card_actions(actor, [by_id[pk] for pk in ids if pk in by_id])
