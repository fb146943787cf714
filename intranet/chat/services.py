"""Every write in chat: conversations, messages, reactions, read positions, presence.

Each public service authorises the actor itself (through chat.access), so a view, the
WebSocket consumer or a command cannot skip the check. Events go out through
realtime.publish after commit only; each message is stored (with its revision) before it
is announced. `message.broadcast` tells the caller whether the live push went out.
"""

import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.models import User
from intranet.chat import access, selectors
from intranet.chat.attachments import attachment_check
from intranet.chat.models import (
    MAX_NAMED_PARTICIPANTS,
    Conversation,
    Message,
    Participant,
    Presence,
    Reaction,
)
from intranet.core.markdown import render_markdown
from intranet.groups.access import is_active_agent, member_group_ids
from intranet.groups.models import Group
from intranet.notifications.services import notify
from realtime import publish

MENTION = re.compile(r"(?<![\w@])@([\w.-]{1,150})")
KEY = re.compile(r"[A-Za-z0-9._:-]{8,64}")


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


# --- Conversations ----------------------------------------------------------------------


def group_rooms_ensure(actor) -> None:
    """Create the rooms of actor's groups that do not exist yet (every group has one)."""
    if not is_active_agent(actor):
        return
    missing = Group.objects.filter(pk__in=member_group_ids(actor), room__isnull=True)
    created = []
    for group in missing:
        _conversation, was_created = Conversation.objects.get_or_create(
            group=group, defaults={"kind": Conversation.Kind.GROUP}
        )
        if was_created:
            created.append(group.pk)
    for group_id in created:
        # Members connected before the room existed subscribe to it now.
        transaction.on_commit(lambda g=group_id: publish.group_room_created(g))


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
        transaction.on_commit(lambda pk=pk: publish.subscriptions_refresh(pk))


# --- Messages ---------------------------------------------------------------------------


def _check_key(idempotency_key) -> str:
    key = str(idempotency_key or "")
    if not KEY.fullmatch(key):
        raise ValidationError(
            _("Each message needs an identifier of 8 to 64 letters, digits or - _ . :"),
            code="bad_key",
        )
    return key


def _check_body(body, *, has_attachment=False) -> str:
    body = str(body or "").strip()
    limit = _limit("TRANSVERSE_CHAT_MAX_MESSAGE_CHARS", 10_000)
    if len(body) > limit:
        raise ValidationError(
            _("The message is too long (%(n)d characters); the limit is %(limit)d.")
            % {"n": len(body), "limit": limit},
            code="message_too_long",
        )
    if not body and not has_attachment:
        raise ValidationError(_("The message is empty."), code="empty")
    return body


def _rate_check(actor) -> None:
    """At most TRANSVERSE_CHAT_RATE_PER_MINUTE new messages per agent and minute.

    Counted in the shared cache (Redis in production, across processes). If the cache is
    down, sending still works: losing the limit for a while is better than losing messages.
    """
    limit = _limit("TRANSVERSE_CHAT_RATE_PER_MINUTE", 60)
    key = f"chat-rate:{actor.pk}:{int(timezone.now().timestamp() // 60)}"
    try:
        cache.add(key, 0, 70)
        count = cache.incr(key)
    except Exception:
        return
    if count > limit:
        raise ValidationError(
            _("You are sending messages too quickly; wait a moment."), code="rate_limited"
        )


def _next_revision(conversation_id: int, *, new_message: bool) -> Conversation:
    """Lock the conversation row and take the next revision (and sequence) numbers."""
    updates = {"last_rev": F("last_rev") + 1}
    if new_message:
        updates.update(last_seq=F("last_seq") + 1, last_message_at=timezone.now())
    Conversation.objects.filter(pk=conversation_id).update(**updates)
    # The UPDATE above holds the row lock until commit: revisions are taken one at a time.
    return Conversation.objects.select_related("group").get(pk=conversation_id)


def _broadcast(message: Message, kind: str, conversation: Conversation) -> None:
    """After commit: the event to the readers of the conversation at commit time."""
    message.broadcast = None
    payload = selectors.message_payloads([message])[0]
    audience = selectors.conversation_audience(conversation)
    event = {"type": kind, "message": payload}

    def send():
        message.broadcast = publish.publish_to_conversation(
            conversation.pk, event, audience=audience
        )

    transaction.on_commit(send)


def _existing(actor, key: str, conversation_id: int) -> Message | None:
    message = (
        Message.objects.select_related("sender")
        .filter(sender_id=actor.pk, idempotency_key=key)
        .first()
    )
    if message is not None and message.conversation_id != conversation_id:
        raise ValidationError(
            _("This message identifier was already used elsewhere."), code="key_reused"
        )
    return message


def message_send(
    actor, conversation_id, *, body, idempotency_key, parent_id=None, attachment=None
) -> tuple[Message, bool]:
    """Store a message, then announce it; (message, created). The same key sent again (a
    retry, over WebSocket or HTTP) returns the stored message and creates nothing."""
    key = _check_key(idempotency_key)
    conversation = access.access_conversation(actor, conversation_id, for_write=True)
    body = _check_body(body, has_attachment=attachment is not None)
    existing = _existing(actor, key, conversation.pk)
    if existing is not None:
        existing.broadcast = None
        return existing, False
    if attachment is not None:
        attachment_check(attachment)
    _rate_check(actor)
    try:
        with transaction.atomic():
            return _message_create(actor, conversation, body, key, parent_id, attachment), True
    except IntegrityError:  # a parallel retry with the same key won the race
        existing = _existing(actor, key, conversation.pk)
        if existing is None:
            raise
        existing.broadcast = None
        return existing, False


def _message_create(actor, conversation, body, key, parent_id, attachment) -> Message:
    conversation = _next_revision(conversation.pk, new_message=True)
    parent = None
    if parent_id not in (None, ""):
        parent = Message.objects.filter(pk=_int(parent_id), conversation=conversation).first()
        if parent is None:
            raise ValidationError(_("The message you reply to does not exist."), code="bad_parent")
        parent = parent.parent or parent  # threads are one level deep
    message = Message(
        conversation=conversation, seq=conversation.last_seq, rev=conversation.last_rev,
        sender=actor, idempotency_key=key, parent=parent, body=body,
        body_html=render_markdown(body),
    )  # fmt: skip
    if attachment is not None:
        message.attachment_name = _clean_filename(attachment.name)
        message.attachment_type = attachment.content_type_checked
        message.attachment_size = attachment.size
        # A generated name: the agent's file name is only ever shown, never used as a path.
        message.attachment.save(uuid.uuid4().hex, attachment, save=False)
    message.save()
    Participant.objects.filter(conversation=conversation, agent_id=actor.pk).update(
        last_read_seq=message.seq
    )
    _notify_mentions(actor, conversation, message)
    _broadcast(message, "message.created", conversation)
    return message


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Invalid identifier."), code="bad_id") from None


def _clean_filename(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name.strip()[:200] or "fichier"


def _notify_mentions(actor, conversation: Conversation, message: Message) -> None:
    usernames = {name.rstrip(".").lower() for name in MENTION.findall(message.body)}
    if not usernames:
        return
    group = conversation.group if conversation.kind == Conversation.Kind.GROUP else None
    readers = selectors.conversation_participants(conversation).filter(
        username__in=list(usernames)[:50]
    )
    for agent in readers:
        notify(agent, "mention", actor=actor, group=group)


@transaction.atomic
def message_edit(actor, message_id, *, body) -> Message:
    message = access.access_message(actor, message_id, for_write=True)
    body = _check_body(body, has_attachment=bool(message.attachment))
    conversation = _next_revision(message.conversation_id, new_message=False)
    message.body, message.body_html = body, render_markdown(body)
    message.edited_at, message.rev = timezone.now(), conversation.last_rev
    message.save(update_fields=["body", "body_html", "edited_at", "rev"])
    _broadcast(message, "message.updated", conversation)
    return message


@transaction.atomic
def message_delete(actor, message_id) -> Message:
    """Delete as a tombstone: the row (and its place in the thread) stays, content goes."""
    message = access.access_message(actor, message_id)
    _require(access.can_delete_message(actor, message))
    conversation = _next_revision(message.conversation_id, new_message=False)
    stored = message.attachment.name if message.attachment else ""
    message.body = message.body_html = ""
    message.attachment = ""
    message.attachment_name = message.attachment_type = ""
    message.deleted_at, message.rev = timezone.now(), conversation.last_rev
    message.save()
    message.reactions.all().delete()
    if stored:
        from django.core.files.storage import default_storage

        transaction.on_commit(lambda: default_storage.delete(stored))
    _broadcast(message, "message.updated", conversation)
    return message


@transaction.atomic
def reaction_toggle(actor, message_id, *, kind: str) -> Message:
    message = access.access_message(actor, message_id)
    _require(access.can_write_conversation(actor, message.conversation))
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Unknown reaction."), code="bad_reaction")
    if message.is_deleted:
        raise ValidationError(_("This message was deleted."), code="deleted")
    conversation = _next_revision(message.conversation_id, new_message=False)
    removed, _count = Reaction.objects.filter(message=message, agent=actor, kind=kind).delete()
    if not removed:
        Reaction.objects.create(message=message, agent=actor, kind=kind)
    message.rev = conversation.last_rev
    message.save(update_fields=["rev"])
    _broadcast(message, "message.updated", conversation)
    return message


@transaction.atomic
def conversation_mark_read(actor, conversation_id, *, seq) -> int:
    """Move actor's read position forward (never back); returns the position."""
    conversation = access.access_conversation(actor, conversation_id)
    seq = max(0, min(_int(seq), conversation.last_seq))
    participant, _created = Participant.objects.get_or_create(
        conversation=conversation, agent=actor, defaults={"last_read_seq": seq}
    )
    if participant.last_read_seq < seq:
        Participant.objects.filter(pk=participant.pk, last_read_seq__lt=seq).update(
            last_read_seq=seq
        )
    event = {"type": "conversation.read", "conversation": conversation.pk, "agent": actor.pk,
             "seq": seq}  # fmt: skip
    transaction.on_commit(lambda: publish.publish_to_agent(actor.pk, event))
    if conversation.kind != Conversation.Kind.GROUP:  # "vu par" in small conversations
        audience = selectors.conversation_audience(conversation)
        transaction.on_commit(
            lambda: publish.publish_to_conversation(conversation.pk, event, audience=audience)
        )
    return max(seq, participant.last_read_seq)


def typing_announce(actor, conversation_id) -> None:
    """Relay "actor is typing" to the conversation (not stored)."""
    conversation = access.access_conversation(actor, conversation_id, for_write=True)
    event = {"type": "typing", "conversation": conversation.pk,
             "agent": {"id": actor.pk, "name": actor.display_name}}  # fmt: skip
    publish.publish_to_conversation(
        conversation.pk, event, audience=selectors.conversation_audience(conversation)
    )


# --- Presence ---------------------------------------------------------------------------


def _presence_change(agent_id: int, change) -> str:
    before = selectors.presence_states([agent_id])[agent_id]
    change()
    after = selectors.presence_states([agent_id])[agent_id]
    if after != before:
        transaction.on_commit(lambda: publish.publish_presence(agent_id, after))
    return after


@transaction.atomic
def presence_connect(actor, channel_name: str) -> str:
    _require(is_active_agent(actor))
    stale = timezone.now() - selectors.PRESENCE_TIMEOUT
    Presence.objects.filter(agent_id=actor.pk, seen_at__lt=stale).delete()
    return _presence_change(
        actor.pk,
        lambda: Presence.objects.update_or_create(
            channel_name=channel_name,
            defaults={"agent_id": actor.pk, "away": False, "seen_at": timezone.now()},
        ),
    )


@transaction.atomic
def presence_update(actor, channel_name: str, *, away: bool | None = None) -> str:
    """A heartbeat (away None) or a change between active and away for one socket."""
    fields = {"seen_at": timezone.now()}
    if away is not None:
        fields["away"] = bool(away)
    return _presence_change(
        actor.pk,
        lambda: Presence.objects.filter(channel_name=channel_name, agent_id=actor.pk).update(
            **fields
        ),
    )


@transaction.atomic
def presence_disconnect(agent_id: int, channel_name: str) -> str:
    return _presence_change(
        agent_id, lambda: Presence.objects.filter(channel_name=channel_name).delete()
    )
