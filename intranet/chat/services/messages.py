"""Writes on messages: send (idempotent), edit, delete, react, read positions, typing.

Each message is stored, with its numbers, before it is announced: events go out through
realtime.publish after commit only. `message.broadcast` tells the caller whether the
live push went out; `message.payload` is what was pushed.
"""

import functools
import logging
import uuid
from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.chat import access, events, selectors
from intranet.chat.attachments import attachment_check
from intranet.chat.models import Conversation, Message, Participant, Reaction
from intranet.chat.services import statements
from intranet.chat.services.checks import (
    MENTION,
    check_alt,
    check_body,
    check_key,
    clean_filename,
    conversation_pk,
    frame_int,
    rate_window,
    refused,
    require,
)
from intranet.chat.services.notices import missed_notices_clear
from intranet.core import metrics
from intranet.core.markdown import render_markdown
from intranet.core.prepared import prepared_cursor
from intranet.groups.access import is_active_agent
from intranet.notifications.services import notify
from intranet.search.services import search_index_later, search_indexer_kick_after_commit

logger = logging.getLogger(__name__)


def _next_revision(conversation_id: int, *, new_message: bool) -> Conversation:
    """Lock the conversation row and take the next revision (and sequence) numbers."""
    updates = {"last_rev": F("last_rev") + 1}
    if new_message:
        updates.update(last_seq=F("last_seq") + 1, last_message_at=timezone.now())
    Conversation.objects.filter(pk=conversation_id).update(**updates)
    # The UPDATE above holds the row lock until commit: revisions are taken one at a time.
    return Conversation.objects.select_related("group").get(pk=conversation_id)


def _broadcast(
    message: Message, kind: str, conversation: Conversation, *, new=False, audience=None
) -> None:
    """After commit: the event to the readers of the conversation at that moment.

    The audience is read just after the commit, outside the conversation's lock: an
    agent removed in between is already left out; or it is given, read by the statement
    that stored the change (_message_store). The payload is built once and kept on the
    message (`message.payload`) for the caller's answer; a new message has no reactions
    yet, so none are read.
    """
    message.broadcast = None
    if new:
        payload = selectors.message_payload(message, {})
    else:
        payload = selectors.message_payloads([message])[0]
    message.payload = payload

    def send():
        readers = audience
        if readers is None:
            try:
                readers = selectors.conversation_audience(conversation)
            except DatabaseError:  # stored and committed: clients will replay it
                message.broadcast = False
                return
        message.broadcast = events.message_changed(kind, conversation.pk, payload, audience=readers)

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
    if message is not None:
        message.broadcast = None
    return message


def message_send(
    actor,
    conversation_id,
    *,
    body,
    idempotency_key,
    parent_id=None,
    attachment=None,
    attachment_alt="",
    attachment_decorative=False,
) -> tuple[Message, bool]:
    """Store a message, then announce it; (message, created). The same key sent again (a
    retry, over WebSocket or HTTP) returns the stored message and creates nothing.

    The UPDATE that numbers the message also authorises it (access.writable_conversations),
    after the rate limit's counter (statements.rate_sql: at most TRANSVERSE_CHAT_RATE_PER_MINUTE
    messages of the agent per minute, one SendCount row per agent, exact across tabs and
    processes, no cache involved; a send refused by the limit does not count). A retry
    is caught by the unique key (nothing is stored, numbers included) and answered from
    the stored message, even past the limit. An image needs attachment_alt, its text
    alternative, unless attachment_decorative.
    """
    key = check_key(idempotency_key)
    pk = conversation_pk(conversation_id)
    if attachment is not None:
        # Check before storing a file that a retry would leave behind.
        access.access_conversation(actor, pk, for_write=True)
        existing = _existing(actor, key, pk)
        if existing is not None:
            return existing, False
        attachment_check(attachment)
        attachment.alt = check_alt(attachment, attachment_alt, attachment_decorative)
        attachment.decorative = bool(attachment_decorative)
    # Checked and rendered before the conversation's row lock is taken: the lock orders
    # every send of the conversation, so it is held for SQL only.
    body = check_body(body, has_attachment=attachment is not None)
    body_html = render_markdown(body)
    message = None
    try:
        if _in_one_statement(body, parent_id, attachment):
            message = _message_store(actor, pk, body, body_html, key)
        else:
            with transaction.atomic():
                conversation = _lock_for_message(actor, pk)
                message = _message_create(
                    actor, conversation, body, body_html, key, parent_id, attachment
                )
    except (IntegrityError, ValidationError) as exc:
        # The key was used before (a retry), or a parallel retry won; a retry is answered
        # even past the rate limit (it creates nothing).
        if isinstance(exc, ValidationError) and exc.code != "rate_limited":
            raise
        existing = _existing(actor, key, pk)
        if existing is None:
            raise
        return existing, False
    except Exception as exc:
        committed = message is not None and not transaction.get_connection().in_atomic_block
        if not committed or isinstance(exc, DatabaseError):  # a failed COMMIT lands here
            if message is not None and message.pk is not None and not _stored(message):
                _attachment_discard(message)  # the row was rolled back: so goes its file
            raise
        # Stored and committed; a side effect run after the commit failed (the search
        # indexer's nudge goes through the cache, which raises while Redis is down). The
        # message and its queue row are safe, the broadcast already ran: answer normally.
        logger.warning("after-commit work of a chat send failed", exc_info=True)
    metrics.CHAT_SENDS.inc()
    return message, True


def _stored(message: Message) -> bool:
    try:
        return Message.objects.filter(pk=message.pk).exists()
    except DatabaseError:
        return True  # cannot tell: keep the file (media_check finds it if it is an orphan)


def _attachment_discard(message: Message) -> None:
    if message.attachment:
        try:
            message.attachment.storage.delete(message.attachment.name)
        except OSError:
            logger.warning("could not remove attachment %s", message.attachment.name)


def _lock_for_message(actor, pk: int) -> Conversation:
    """Authorise actor to write, apply the rate limit and take the next numbers, in one
    UPDATE (row lock held). The authorisation is access.writable_conversations, used as
    the UPDATE's subquery; RETURNING gives the new numbers without a second statement.
    """
    row = None
    if is_active_agent(actor):
        sql, _params = statements.numbering_update(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(statements.rate_sql(connection.vendor), rate_window(actor))
            if cursor.fetchone() is not None:  # counted: under the rate limit
                cursor.execute(sql, statements.numbering_params(actor, pk, timezone.now()))
                row = cursor.fetchone()
    if row is None:  # the caller's transaction rolls the count back
        refused(actor, pk)
    return statements.conversation_from_row(row)


def _in_one_statement(body: str, parent_id, attachment) -> bool:
    """Whether the send can be stored by _message_store: on PostgreSQL, for the common
    message (no file, not a reply, no @mention; those take the transaction of
    _lock_for_message and _message_create, which checks the parent after authorising
    and notifies the mentioned agents in the same transaction)."""
    return (
        connection.vendor == "postgresql"
        and attachment is None
        and parent_id in (None, "")
        and MENTION.search(body) is None
    )


def _message_store(actor, pk: int, body: str, body_html: str, key: str) -> Message:
    """Authorise, number, store, move the sender's read position, queue for search and
    read the audience of the event in ONE statement (PostgreSQL's data-modifying CTEs),
    outside any transaction of ours. The audience is read from the statement's snapshot,
    the one that authorised the sender: who could read the conversation when the message
    was stored.

    The conversation's row lock, which orders every send of the conversation, is then
    held only while PostgreSQL runs that statement: with a transaction around several
    statements it was held across round trips and across this thread's waits for the
    GIL, which capped one busy conversation at about 160 messages/s. The statement is
    all or nothing: a key already used (a retry) raises IntegrityError and changes
    nothing, as in the transaction of _lock_for_message. A caller already inside a
    transaction gets a savepoint around it.
    """
    message = Message(sender=actor, idempotency_key=key, body=body, body_html=body_html)
    row = None
    if is_active_agent(actor):
        sql, params = statements.message_store_sql(actor, pk, message)
        savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with savepoint, prepared_cursor() as cursor:  # planned once per connection
            cursor.execute(sql, params)
            row = cursor.fetchone()
    if row is None:
        refused(actor, pk)
    width = len(statements.CONVERSATION_ROW)
    conversation = statements.conversation_from_row(row[:width])
    message.pk, message.conversation = row[width], conversation
    message.seq, message.rev = conversation.last_seq, conversation.last_rev
    audience = row[width + 1] if conversation.kind == Conversation.Kind.GROUP else row[width + 2]
    _broadcast(message, "message.created", conversation, new=True, audience=audience)
    search_indexer_kick_after_commit()
    return message


def _message_create(actor, conversation, body, body_html, key, parent_id, attachment) -> Message:
    parent = None
    if parent_id not in (None, ""):
        parent = Message.objects.filter(pk=frame_int(parent_id), conversation=conversation).first()
        if parent is None:
            raise ValidationError(_("The message you reply to does not exist."), code="bad_parent")
        parent = parent.parent or parent  # threads are one level deep
    message = Message(
        conversation=conversation,
        seq=conversation.last_seq,
        rev=conversation.last_rev,
        sender=actor,
        idempotency_key=key,
        parent=parent,
        body=body,
        body_html=body_html,
    )
    if attachment is not None:
        message.attachment_name = clean_filename(attachment.name)
        message.attachment_type = attachment.content_type_checked
        message.attachment_size = attachment.size
        message.attachment_alt = attachment.alt
        message.attachment_decorative = (
            attachment.decorative and message.attachment_type.startswith("image/")
        )
        # A generated name: the agent's file name is only ever shown, never used as a path.
        message.attachment.save(uuid.uuid4().hex, attachment, save=False)
    try:
        message.save(force_insert=True)
        Participant.objects.filter(conversation=conversation, agent_id=actor.pk).update(
            last_read_seq=message.seq
        )
        _notify_mentions(actor, conversation, message)
        _broadcast(message, "message.created", conversation, new=True)
        search_index_later(message)  # after _broadcast: see message_send
    except Exception:
        _attachment_discard(message)  # the transaction rolls the row back: no file either
        raise
    return message


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


def _atomic_past_commit(function):
    """transaction.atomic around function; once the change is committed, a failing
    after-commit hook (the search indexer's nudge while the cache is down) is logged, not
    raised: the change is stored and its broadcast already ran."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        result = None
        try:
            with transaction.atomic():
                result = function(*args, **kwargs)
        except Exception as exc:
            committed = result is not None and not transaction.get_connection().in_atomic_block
            if not committed or isinstance(exc, DatabaseError):
                raise
            logger.warning("after-commit work of %s failed", function.__name__, exc_info=True)
        return result

    return run


@_atomic_past_commit
def message_edit(actor, message_id, *, body) -> Message:
    message = access.access_message(actor, message_id, for_write=True)
    body = check_body(body, has_attachment=bool(message.attachment))
    conversation = _next_revision(message.conversation_id, new_message=False)
    message.body, message.body_html = body, render_markdown(body)
    message.edited_at, message.rev = timezone.now(), conversation.last_rev
    message.save(update_fields=["body", "body_html", "edited_at", "rev"])
    _broadcast(message, "message.updated", conversation)
    search_index_later(message)
    return message


@_atomic_past_commit
def message_delete(actor, message_id) -> Message:
    """Delete as a tombstone: the row (and its place in the thread) stays, content goes."""
    message = access.access_message(actor, message_id)
    require(access.can_delete_message(actor, message))
    conversation = _next_revision(message.conversation_id, new_message=False)
    stored = message.attachment.name if message.attachment else ""
    message.body = message.body_html = ""
    message.attachment = ""
    message.attachment_name = message.attachment_type = message.attachment_alt = ""
    message.deleted_at, message.rev = timezone.now(), conversation.last_rev
    message.save()
    message.reactions.all().delete()
    search_index_later(message)  # the indexer sees the tombstone and removes the document
    if stored:
        from django.core.files.storage import default_storage

        transaction.on_commit(lambda: default_storage.delete(stored))
    _broadcast(message, "message.updated", conversation)
    return message


@transaction.atomic
def reaction_toggle(actor, message_id, *, kind: str) -> Message:
    message = access.access_message(actor, message_id)
    require(access.can_write_conversation(actor, message.conversation))
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
    seq = max(0, min(frame_int(seq), conversation.last_seq))
    participant, _created = Participant.objects.get_or_create(
        conversation=conversation, agent=actor, defaults={"last_read_seq": seq}
    )
    if participant.last_read_seq < seq:
        Participant.objects.filter(pk=participant.pk, last_read_seq__lt=seq).update(
            last_read_seq=seq
        )
        if participant.notified_seq > participant.last_read_seq:  # told of missed messages
            missed_notices_clear(actor, conversation)
    audience = None
    if conversation.kind != Conversation.Kind.GROUP:  # "vu par" in small conversations
        audience = selectors.conversation_audience(conversation)
    transaction.on_commit(
        lambda: events.conversation_read(actor.pk, conversation.pk, seq, audience=audience)
    )
    return max(seq, participant.last_read_seq)


def typing_announce(actor, conversation_id) -> None:
    """Relay "actor is typing" to the conversation (not stored)."""
    conversation = access.access_conversation(actor, conversation_id, for_write=True)
    events.typing(
        conversation.pk,
        selectors.agent_fragment(actor),
        audience=selectors.conversation_audience(conversation),
    )
