"""Who may see and do what in chat. The only place that decides it.

Rules:
- a group room is readable by the group's members only (not by every reader of an open
  group: a chat room is a conversation between members); an archived group's room is
  read-only; staff have no special reading right in rooms they are not members of;
- a direct or named conversation is readable by its current participants (left_at null);
- only active agents may read or write anything;
- a message is edited by its sender only; deleted by its sender, or by the group's
  moderators in a group room;
- an attachment is downloaded through the same check as its message.
A conversation or message the actor may not read is answered with 404, like a missing one.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from intranet.accounts.models import User
from intranet.chat.models import Conversation, Message, Participant
from intranet.groups import access as group_access
from intranet.groups.models import Group, Membership


def visible_conversations(actor, *, group_ids=None) -> QuerySet[Conversation]:
    """group_ids: the actor's groups (member_group_ids) when the caller has just read them."""
    if not group_access.is_active_agent(actor):
        return Conversation.objects.none()
    if group_ids is None:
        group_ids = group_access.member_group_ids(actor)
    participates = Participant.objects.filter(
        conversation=OuterRef("pk"), agent_id=actor.pk, left_at__isnull=True
    )
    return Conversation.objects.filter(
        Q(kind=Conversation.Kind.GROUP, group_id__in=group_ids)
        | (~Q(kind=Conversation.Kind.GROUP) & Exists(participates))
    )


def writable_conversations(actor) -> QuerySet[Conversation]:
    """Conversations actor may write to, decided wholly inside the database.

    The same rules as can_write_conversation, written as subqueries only (the actor's
    active flag, groups and participations are read by the statement itself), so the send
    path authorises and takes the conversation's next numbers in one UPDATE: nothing
    cached in the process can let a removed member or a deactivated agent through.
    """
    if not group_access.is_active_agent(actor):
        return Conversation.objects.none()
    active = User.objects.filter(pk=actor.pk, is_active=True)
    member_of = Membership.objects.filter(agent_id=actor.pk, group_id=OuterRef("group_id"))
    open_group = Group.objects.filter(pk=OuterRef("group_id"), archived_at__isnull=True)
    participates = Participant.objects.filter(
        conversation=OuterRef("pk"), agent_id=actor.pk, left_at__isnull=True
    )
    return Conversation.objects.filter(Exists(active)).filter(
        Q(kind=Conversation.Kind.GROUP) & Exists(member_of) & Exists(open_group)
        | ~Q(kind=Conversation.Kind.GROUP) & Exists(participates)
    )


def can_read_conversation(actor, conversation: Conversation) -> bool:
    if not group_access.is_active_agent(actor):
        return False
    if conversation.kind == Conversation.Kind.GROUP:
        return conversation.group_id in group_access.member_group_ids(actor)
    return Participant.objects.filter(
        conversation=conversation, agent_id=actor.pk, left_at__isnull=True
    ).exists()


def can_write_conversation(actor, conversation: Conversation) -> bool:
    if conversation.kind == Conversation.Kind.GROUP and conversation.group.is_archived:
        return False
    return can_read_conversation(actor, conversation)


def can_manage_participants(actor, conversation: Conversation) -> bool:
    """Named conversations: any participant may add people or rename."""
    return conversation.kind == Conversation.Kind.NAMED and can_write_conversation(
        actor, conversation
    )


def can_message_agent(actor, agent) -> bool:
    """May actor open a direct conversation with agent (conversation_direct_open's rule)?"""
    return bool(
        group_access.is_active_agent(actor)
        and agent is not None
        and agent.is_active
        and agent.pk != actor.pk
    )


def can_edit_message(actor, message: Message) -> bool:
    return (
        message.sender_id == getattr(actor, "pk", None)
        and not message.is_deleted
        and can_write_conversation(actor, message.conversation)
    )


def can_delete_message(actor, message: Message) -> bool:
    if message.is_deleted or not can_read_conversation(actor, message.conversation):
        return False
    if message.sender_id == actor.pk:
        return True
    conversation = message.conversation
    return conversation.kind == Conversation.Kind.GROUP and group_access.can_moderate_group(
        actor, conversation.group
    )


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if pk <= 0 or pk > 2**62:
        raise Http404
    return pk


def access_conversation(actor, conversation_id, *, for_write: bool = False) -> Conversation:
    """The conversation if actor may read it (404 otherwise); for_write: 403 if read-only."""
    conversation = (
        Conversation.objects.select_related("group").filter(pk=_pk(conversation_id)).first()
    )
    if conversation is None or not can_read_conversation(actor, conversation):
        raise Http404
    if for_write and not can_write_conversation(actor, conversation):
        raise PermissionDenied
    return conversation


def access_message(actor, message_id, *, for_write: bool = False) -> Message:
    """The message if actor may read its conversation (404); for_write: may edit it (403)."""
    message = (
        Message.objects.select_related("conversation__group", "sender")
        .filter(pk=_pk(message_id))
        .first()
    )
    if message is None or not can_read_conversation(actor, message.conversation):
        raise Http404
    if for_write and not can_edit_message(actor, message):
        raise PermissionDenied
    return message
