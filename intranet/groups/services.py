"""Every write on groups: creation, membership, roles, invitations, archiving.

Each public service authorises the actor itself (through groups.access), so a view, a
consumer or a command cannot skip the check. Notifications go out after commit.
"""

import secrets
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from intranet.accounts.models import User
from intranet.core.bulk import rows_insert
from intranet.core.images import checked_alt_text, fitted_jpeg
from intranet.core.text import fold, without_nul
from intranet.groups import access, events, tools
from intranet.groups.models import Group, GroupTool, Invitation, JoinRequest, Membership
from intranet.groups.selectors import group_animators
from intranet.notifications.services import notify
from intranet.search.services import search_index_later, search_index_many_later
from intranet.topics.services import topics_get_or_create

ROLE_PERMS = {
    Membership.Role.MEMBER: (),
    Membership.Role.ANIMATOR: (access.PERM_MODERATE, access.PERM_MANAGE_MEMBERS),
    Membership.Role.OWNER: (
        access.PERM_MODERATE,
        access.PERM_MANAGE_MEMBERS,
        access.PERM_ADMINISTER,
    ),
}
ALL_PERMS = ROLE_PERMS[Membership.Role.OWNER]

# Templates offered when creating a group: "" an ordinary group; the training space
# switches every registered tool on and lets each add its content (groups.tools).
TEMPLATE_TRAINING = "training"
GROUP_TEMPLATES = ("", TEMPLATE_TRAINING)


# The random part of a group's address: lowercase letters and digits, without the look-alikes
# (0/o, 1/l/i), so that an address read aloud or copied by hand still works.
SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SLUG_SUFFIX_LENGTH = 6


def _unique_slug(name: str) -> str:
    """The name's slug and a random suffix, whatever groups exist.

    Numbering on collision ("-2") told anyone creating a group whether the name was already
    taken, secret groups included. A random suffix on every address says nothing: its shape
    is the same for a taken name and a fresh one, and a (rare) collision is retried silently.
    """
    base = slugify(fold(name))[:120].strip("-") or "groupe"
    while True:
        suffix = "".join(secrets.choice(SLUG_ALPHABET) for _ in range(SLUG_SUFFIX_LENGTH))
        slug = f"{base}-{suffix}"
        if not Group.objects.filter(slug=slug).exists():
            return slug


def _grant_role(group: Group, agent: User, role: str) -> None:
    for perm in ALL_PERMS:
        if perm in ROLE_PERMS[role]:
            assign_perm(perm, agent, group)
        else:
            remove_perm(perm, agent, group)
    access.forget_group_perms(agent)


def _add_member(group: Group, agent: User, role=Membership.Role.MEMBER) -> Membership:
    membership, created = Membership.objects.get_or_create(
        group=group, agent=agent, defaults={"role": role}
    )
    if created:
        _grant_role(group, agent, role)
        access.forget_memberships(agent)
        transaction.on_commit(partial(events.membership_changed, agent.pk, group.pk))
    return membership


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


@transaction.atomic
def group_create(
    actor,
    *,
    name,
    description="",
    policy,
    themes=(),
    parent=None,
    image=None,
    image_alt: str = "",
    image_decorative: bool = False,
    template: str = "",
) -> Group:
    _require(access.is_active_agent(actor))
    if template not in GROUP_TEMPLATES:
        raise ValidationError(_("Unknown group template."))
    if parent is not None:
        _require(access.can_administer_group(actor, parent))
    if image is not None:
        image_alt = checked_alt_text(image_alt, decorative=image_decorative)
    name, description = without_nul(name), without_nul(description)
    themes = [without_nul(t) for t in themes]
    group = Group.objects.create(
        name=name.strip(),
        slug=_unique_slug(name),
        name_key=fold(name),
        description=description,
        policy=policy,
        parent=parent,
        created_by=actor,
    )
    group.themes.set(topics_get_or_create(themes))
    _add_member(group, actor, Membership.Role.OWNER)
    if image is not None:
        content = fitted_jpeg(image, longest_side=800, folder="groups")
        group.image.name = default_storage.save(content.name, content)
        group.image_alt, group.image_decorative = image_alt, image_decorative
        group.save(update_fields=["image", "image_alt", "image_decorative"])
    search_index_later(group)
    if template == TEMPLATE_TRAINING:
        _training_space_set_up(actor, group)
    return group


def _training_space_set_up(actor, group: Group) -> None:
    """The "space for training and change": every tool on, then each tool's own content."""
    registered = tools.tools()
    _tools_switch(group, {t.key for t in registered})
    for tool in registered:
        if tool.setup is not None:
            tool.setup(actor, group)


def _tools_switch(group: Group, keys: set[str]) -> None:
    GroupTool.objects.filter(group=group).exclude(key__in=keys).delete()
    present = set(GroupTool.objects.filter(group=group).values_list("key", flat=True))
    GroupTool.objects.bulk_create([GroupTool(group=group, key=k) for k in sorted(keys - present)])
    tools.forget_enabled_tools(group)


@transaction.atomic
def group_tools_set(actor, group: Group, *, keys) -> frozenset[str]:
    """Switch group's tools: exactly the registered tools in keys are on afterwards."""
    _require(access.can_manage_tools(actor, group))
    registered = {t.key for t in tools.tools()}
    unknown = set(keys) - registered
    if unknown:
        raise ValidationError(_("Unknown tool: %(key)s.") % {"key": sorted(unknown)[0][:40]})
    _tools_switch(group, set(keys))
    return tools.enabled_tool_keys(group)


@transaction.atomic
def group_update(actor, group: Group, *, name, description, policy, themes) -> Group:
    _require(access.can_administer_group(actor, group) and not group.is_archived)
    name, description = without_nul(name), without_nul(description)
    themes = [without_nul(t) for t in themes]
    group.name, group.name_key = name.strip(), fold(name)
    group.description, group.policy = description, policy
    group.save(update_fields=["name", "name_key", "description", "policy"])
    group.themes.set(topics_get_or_create(themes))
    search_index_later(group)
    return group


@transaction.atomic
def group_image_describe(actor, group: Group, *, image_alt: str, decorative: bool) -> Group:
    """Set the text alternative of the group's logo (required unless decorative)."""
    _require(access.can_administer_group(actor, group) and not group.is_archived)
    if not group.image:
        raise ValidationError(_("The group has no image to describe."))
    group.image_alt = checked_alt_text(image_alt, decorative=decorative)
    group.image_decorative = decorative
    group.save(update_fields=["image_alt", "image_decorative"])
    return group


@transaction.atomic
def group_join(actor, group: Group) -> Membership:
    """Join an open group at once."""
    _require(access.can_join_group(actor, group))
    return _add_member(group, actor)


@transaction.atomic
def group_request_join(actor, group: Group, *, message: str = "") -> JoinRequest:
    """Ask to join a closed group; its animators are notified. Asking twice is one request."""
    _require(access.can_request_to_join(actor, group))
    existing = JoinRequest.objects.filter(
        group=group, agent=actor, status=JoinRequest.Status.PENDING
    ).first()
    if existing:
        return existing
    request = JoinRequest.objects.create(group=group, agent=actor, message=message[:500])
    for animator in group_animators(group):
        notify(animator, "membership_request", actor=actor, group=group)
    return request


@transaction.atomic
def join_request_decide(actor, request: JoinRequest, *, approve: bool) -> JoinRequest:
    request = (
        JoinRequest.objects.select_for_update().select_related("group", "agent").get(pk=request.pk)
    )
    _require(access.can_manage_members(actor, request.group))
    if request.status != JoinRequest.Status.PENDING:
        return request
    request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.DECLINED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    if approve and request.agent.is_active:
        _add_member(request.group, request.agent)
    kind = "membership_approved" if approve else "membership_declined"
    notify(request.agent, kind, actor=actor, group=request.group)
    return request


@transaction.atomic
def group_invite(actor, group: Group, *, agents=(), department=None) -> list[Invitation]:
    """Invite agents, or every active agent of a department, who are not members yet."""
    _require(access.can_manage_members(actor, group))
    targets = {a.pk: a for a in agents if a.is_active}
    if department is not None:
        for agent in User.objects.filter(department=department, is_active=True):
            targets[agent.pk] = agent
    members = set(group.memberships.values_list("agent_id", flat=True))
    pending = set(
        group.invitations.filter(status=Invitation.Status.PENDING).values_list(
            "agent_id", flat=True
        )
    )
    created = []
    for agent in targets.values():
        if agent.pk in members or agent.pk in pending:
            continue
        created.append(Invitation.objects.create(group=group, agent=agent, invited_by=actor))
        notify(agent, "invitation", actor=actor, group=group)
    return created


@transaction.atomic
def invitation_answer(actor, invitation: Invitation, *, accept: bool) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update().select_related("group").get(pk=invitation.pk)
    )
    if invitation.agent_id != actor.pk or not access.is_active_agent(actor):
        raise PermissionDenied
    if invitation.status != Invitation.Status.PENDING:
        return invitation
    if accept and invitation.group.is_archived:
        raise ValidationError(_("This group is archived: it no longer takes new members."))
    invitation.status = Invitation.Status.ACCEPTED if accept else Invitation.Status.DECLINED
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])
    if accept:
        _add_member(invitation.group, actor)
    return invitation


def _remove_membership(group: Group, agent: User) -> None:
    Membership.objects.filter(group=group, agent=agent).delete()
    _grant_role(group, agent, Membership.Role.MEMBER)  # withdraws every role permission
    access.forget_memberships(agent)
    transaction.on_commit(partial(events.membership_changed, agent.pk, group.pk))


@transaction.atomic
def group_leave(actor, group: Group) -> None:
    membership = access.membership_of(actor, group)
    if membership is None:
        return
    if membership.role == Membership.Role.OWNER:
        _hand_over(group, leaving=actor)
    _remove_membership(group, actor)


@transaction.atomic
def group_member_remove(actor, group: Group, agent: User) -> None:
    _require(access.can_manage_members(actor, group))
    membership = Membership.objects.filter(group=group, agent=agent).first()
    if membership is None:
        return
    if membership.role == Membership.Role.OWNER:
        raise ValidationError(_("The owner cannot be removed; hand over ownership first."))
    if membership.role == Membership.Role.ANIMATOR:
        _require(access.can_administer_group(actor, group))
    _remove_membership(group, agent)


@transaction.atomic
def group_member_role_set(actor, group: Group, agent: User, *, role: str) -> Membership:
    """Make a member an animator or a plain member again (owners hand over instead)."""
    _require(access.can_administer_group(actor, group) and not group.is_archived)
    if role not in (Membership.Role.MEMBER, Membership.Role.ANIMATOR):
        raise ValidationError(_("Use “hand over ownership” to change the owner."))
    membership = Membership.objects.select_for_update().get(group=group, agent=agent)
    if membership.role == Membership.Role.OWNER:
        raise ValidationError(_("Use “hand over ownership” to change the owner."))
    membership.role = role
    membership.save(update_fields=["role"])
    _grant_role(group, agent, role)
    return membership


def _set_owner(group: Group, new_owner: User, previous: User | None) -> None:
    if previous is not None:
        Membership.objects.filter(group=group, agent=previous).update(role=Membership.Role.ANIMATOR)
        _grant_role(group, previous, Membership.Role.ANIMATOR)
    membership = _add_member(group, new_owner)
    Membership.objects.filter(pk=membership.pk).update(role=Membership.Role.OWNER)
    _grant_role(group, new_owner, Membership.Role.OWNER)


@transaction.atomic
def group_ownership_transfer(actor, group: Group, new_owner: User) -> Group:
    _require(access.can_administer_group(actor, group))
    if not new_owner.is_active or not access.is_member(new_owner, group):
        raise ValidationError(_("The new owner must be an active member of the group."))
    current = Membership.objects.filter(group=group, role=Membership.Role.OWNER).first()
    previous = current.agent if current else None
    if previous is not None and previous.pk == new_owner.pk:
        return group
    _set_owner(group, new_owner, previous)
    notify(new_owner, "ownership_received", actor=actor, group=group)
    return group


def _hand_over(group: Group, *, leaving: User) -> User | None:
    """Give the group to its longest-serving active animator, else to the first staff member."""
    successor = (
        User.objects.filter(
            memberships__group=group,
            memberships__role=Membership.Role.ANIMATOR,
            is_active=True,
        )
        .exclude(pk=leaving.pk)
        .order_by("memberships__joined_at")
        .first()
    ) or User.objects.filter(is_staff=True, is_active=True).exclude(pk=leaving.pk).order_by(
        "pk"
    ).first()
    Membership.objects.filter(group=group, agent=leaving).update(role=Membership.Role.MEMBER)
    _grant_role(group, leaving, Membership.Role.MEMBER)
    if successor is not None:
        _set_owner(group, successor, None)
        notify(successor, "ownership_received", actor=None, group=group)
    return successor


@transaction.atomic
def agent_groups_release(agent: User) -> None:
    """When an agent leaves the administration: hand over their groups, drop memberships."""
    for membership in Membership.objects.filter(agent=agent).select_related("group"):
        if membership.role == Membership.Role.OWNER:
            _hand_over(membership.group, leaving=agent)
        _remove_membership(membership.group, agent)


def agents_groups_release(agent_ids: list[int]) -> None:
    """The leaver hook (accounts.leavers): every switched-off agent releases their groups."""
    members = User.objects.filter(pk__in=agent_ids, memberships__isnull=False).distinct()
    for agent in members:
        agent_groups_release(agent)


@transaction.atomic
def group_archive(actor, group: Group, *, archived: bool = True) -> Group:
    _require(access.can_administer_group(actor, group))
    group.archived_at = timezone.now() if archived else None
    group.save(update_fields=["archived_at"])
    search_index_later(group)
    return group


@transaction.atomic
def group_mark_official(actor, group: Group, *, official: bool = True) -> Group:
    _require(access.is_active_agent(actor) and actor.is_staff)
    group.is_official = official
    group.save(update_fields=["is_official"])
    search_index_later(group)
    return group


@transaction.atomic
def group_notify_posts_set(actor, group: Group, *, enabled: bool) -> None:
    Membership.objects.filter(group=group, agent=actor).update(notify_posts=enabled)


@transaction.atomic
def department_group_sync(department, agents) -> Group:
    """The closed group mirroring a department, with exactly these active agents as members."""
    department_groups_sync(
        [department.pk], members={department.pk: [a.pk for a in agents if a.is_active]}
    )
    return Group.objects.get(department=department)


def _department_groups_create(departments) -> list[Group]:
    """Missing department groups, in bulk; slugs end with the department id (unique)."""
    wanted = {f"{slugify(fold(d.name))[:120] or 'service'}-{d.pk}": d for d in departments}
    taken = set(Group.objects.filter(slug__in=list(wanted)).values_list("slug", flat=True))
    groups = [
        Group(
            name=d.name,
            slug=slug if slug not in taken else _unique_slug(d.name),
            name_key=fold(d.name),
            policy=Group.Policy.CLOSED,
            kind=Group.Kind.DEPARTMENT,
            department=d,
            is_official=True,
        )
        for slug, d in wanted.items()
    ]
    Group.objects.bulk_create(groups, batch_size=1000, ignore_conflicts=True)
    created = list(Group.objects.filter(department__in=departments))
    search_index_many_later("group", [g.pk for g in created])
    return created


@transaction.atomic
def department_groups_sync(department_ids, *, members=None) -> int:
    """Each department's closed group holds exactly its active agents (directory sync).

    Bulk: a fixed number of queries whatever the number of departments and agents.
    Real-time refreshes go only to agents who have ever signed in (others have no socket).
    """
    from intranet.departments.models import Department

    departments = list(Department.objects.filter(pk__in=list(department_ids), is_active=True))
    if not departments:
        return 0
    groups = {g.department_id: g for g in Group.objects.filter(department__in=departments)}
    missing = [d for d in departments if d.pk not in groups]
    if missing:
        groups.update({g.department_id: g for g in _department_groups_create(missing)})
    if members is None:
        members = {d.pk: [] for d in departments}
        rows = User.objects.filter(department_id__in=list(members), is_active=True)
        for pk, department_id in rows.values_list("pk", "department_id"):
            members[department_id].append(pk)
    group_of = {g.pk: department_id for department_id, g in groups.items()}
    have = set(
        Membership.objects.filter(
            group_id__in=list(group_of), role=Membership.Role.MEMBER
        ).values_list("group_id", "agent_id")
    )
    wanted = {(groups[d].pk, pk) for d, pks in members.items() if d in groups for pk in pks}
    extra, new = have - wanted, wanted - have
    leaving: dict[int, list[int]] = {}
    for group_id, agent_id in extra:
        leaving.setdefault(group_id, []).append(agent_id)
    for group_id, agent_ids in leaving.items():
        Membership.objects.filter(
            group_id=group_id, agent_id__in=agent_ids, role=Membership.Role.MEMBER
        ).delete()
    # One prepared INSERT (intranet.core.bulk): a first sync adds every agent at once.
    rows_insert(Membership, [{"group_id": g, "agent_id": a} for g, a in new], ignore_conflicts=True)
    changed = {a for _g, a in extra | new}
    signed_in = User.objects.filter(last_login__isnull=False).values_list("pk", flat=True)
    if len(changed) > 1000:  # a first sync: one scan beats an IN list of every agent
        signed_in = set(signed_in) & changed
    else:
        signed_in = signed_in.filter(pk__in=list(changed))
    for pk in signed_in:
        transaction.on_commit(partial(events.membership_changed, pk))
    return len(departments)
