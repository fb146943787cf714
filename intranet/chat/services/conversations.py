"""Writes on conversations: group rooms, direct and named conversations, participants.

Each service authorises the actor itself (chat.access); membership changes announce
`subscriptions.refresh` to the agents' sockets after commit.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.models import User
from intranet.chat import access, events
from intranet.chat.models import (
    MAX_NAMED_PARTICIPANTS,
    Conversation,
    Participant,
)
from intranet.groups.access import is_active_agent, member_group_ids
from intranet.groups.models import Group


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


# Groups this process has seen with a room, for the WebSocket connection path. A room
# lives as long as its group (deleted with it); forget_group_room drops one if a room is
# ever deleted alone.
_groups_with_room: set[int] = set()
_GROUPS_WITH_ROOM_MAX = 100_000


def forget_group_room(sender, instance, **kwargs) -> None:
    """post_delete of a Conversation: its group is no longer known to have a room."""
    if instance.group_id is not None:
        _groups_with_room.discard(instance.group_id)


def group_rooms_ensure(actor, *, group_ids=None, cached: bool = False) -> int:
    """Create the rooms of actor's groups that do not exist yet (every group has one);
    returns how many were created.

    group_ids: actor's groups when the caller has just read them. cached: groups this
    process has already seen with a room are not looked up again (a socket's connection
    then costs no query here); pages, which read the room next, look it up.
    """
    if not is_active_agent(actor):
        return 0
    if group_ids is None:
        group_ids = member_group_ids(actor)
    unknown = [pk for pk in group_ids if not (cached and pk in _groups_with_room)]
    if not unknown:
        return 0
    groups = list(Group.objects.filter(pk__in=unknown).values_list("pk", "room__id"))
    if len(_groups_with_room) > _GROUPS_WITH_ROOM_MAX:
        _groups_with_room.clear()
    _groups_with_room.update(pk for pk, room in groups if room is not None)
    missing = Group.objects.filter(pk__in=[pk for pk, room in groups if room is None])
    created = []
    for group in missing:
        _conversation, was_created = Conversation.objects.get_or_create(
            group=group, defaults={"kind": Conversation.Kind.GROUP}
        )
        if was_created:
            created.append(group.pk)
    for group_id in created:
        # Members connected before the room existed subscribe to it now.
        transaction.on_commit(lambda g=group_id: events.group_room_created(g))
    return len(created)


def group_room(actor, group: Group) -> Conversation:
    """The room of a group actor belongs to (404 for non-members, like a missing room)."""
    if group.pk not in member_group_ids(actor):
        raise Http404
    group_rooms_ensure(actor)
    return Conversation.objects.select_related("group").get(group=group)


@transaction.atomic
def conversation_direct_open(actor, *, other: User) -> Conversation:
    """The direct conversation between actor and other, created on first use."""
    _require(is_active_agent(actor))
    if not other.is_active or other.pk == actor.pk:
        raise ValidationError(_("Choose another active agent."), code="bad_participant")
    low, high = sorted((actor.pk, other.pk))
    try:
        with transaction.atomic():
            conversation, created = Conversation.objects.get_or_create(
                direct_key=f"{low}:{high}",
                defaults={"kind": Conversation.Kind.DIRECT, "created_by": actor},
            )
    except IntegrityError:  # the other agent opened it at the same moment
        conversation, created = Conversation.objects.get(direct_key=f"{low}:{high}"), False
    if created:
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, agent_id=pk) for pk in (low, high)],
            ignore_conflicts=True,
        )
        _announce_membership([low, high])
    return conversation


@transaction.atomic
def conversation_named_create(actor, *, name: str, agents) -> Conversation:
    """A small conversation that anyone can start and name (actor included, at most 50)."""
    _require(is_active_agent(actor))
    name = (name or "").strip()[:120]
    if not name:
        raise ValidationError(_("Give the conversation a name."), code="name_required")
    ids = {a.pk for a in agents if a.is_active} | {actor.pk}
    if len(ids) > MAX_NAMED_PARTICIPANTS:
        raise ValidationError(
            _("A conversation has at most %(n)d participants.") % {"n": MAX_NAMED_PARTICIPANTS},
            code="too_many_participants",
        )
    conversation = Conversation.objects.create(
        kind=Conversation.Kind.NAMED, name=name, created_by=actor
    )
    Participant.objects.bulk_create(
        [Participant(conversation=conversation, agent_id=pk) for pk in ids]
    )
    _announce_membership(ids)
    return conversation


@transaction.atomic
def conversation_participants_add(actor, conversation_id, *, agents) -> Conversation:
    conversation = access.access_conversation(actor, conversation_id, for_write=True)
    _require(access.can_manage_participants(actor, conversation))
    current = set(
        conversation.participants.filter(left_at__isnull=True).values_list("agent_id", flat=True)
    )
    new = {a.pk for a in agents if a.is_active} - current
    if len(current) + len(new) > MAX_NAMED_PARTICIPANTS:
        raise ValidationError(
            _("A conversation has at most %(n)d participants.") % {"n": MAX_NAMED_PARTICIPANTS},
            code="too_many_participants",
        )
    for pk in new:
        Participant.objects.update_or_create(
            conversation=conversation, agent_id=pk, defaults={"left_at": None}
        )
    _announce_membership(new)
    return conversation


@transaction.atomic
def conversation_leave(actor, conversation_id) -> None:
    conversation = access.access_conversation(actor, conversation_id)
    _require(conversation.kind == Conversation.Kind.NAMED)
    Participant.objects.filter(conversation=conversation, agent_id=actor.pk).update(
        left_at=timezone.now()
    )
    _announce_membership([actor.pk])


def _announce_membership(agent_ids) -> None:
    for pk in agent_ids:
        transaction.on_commit(lambda pk=pk: events.subscriptions_changed(pk))
