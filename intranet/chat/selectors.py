"""Reads for chat: conversation lists with unread counts, history pages, replay, payloads.

Every function that takes an actor starts from `access.visible_conversations(actor)` or
from a conversation already authorised by `access.access_conversation`.
"""

import functools
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from intranet.accounts.models import User
from intranet.chat.access import visible_conversations
from intranet.chat.models import Conversation, Message, Participant, Reaction
from intranet.documents.cards import cards_html, document_cards, document_ids
from intranet.groups import access as group_access
from intranet.groups.models import Membership

PAGE_SIZE = 50
# Messages of one sender this close together show as one group (chat.js: GROUP_WITHIN).
GROUP_WITHIN = timedelta(minutes=5)
REPLAY_LIMIT = 200


def _with_unread(conversations: QuerySet, actor) -> QuerySet:
    last_read = Participant.objects.filter(conversation=OuterRef("pk"), agent_id=actor.pk).values(
        "last_read_seq"
    )[:1]
    # A group room the agent never opened counts as read: joining a busy group must not
    # greet them with thousands of unread messages.
    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"), seq__gt=OuterRef("read_seq"), deleted_at__isnull=True
        )
        .exclude(sender_id=actor.pk)
        .order_by()
        .values("conversation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return conversations.annotate(
        read_seq=Coalesce(Subquery(last_read), F("last_seq")),
    ).annotate(unread=Coalesce(Subquery(unread), Value(0)))


def conversation_list(actor) -> list[Conversation]:
    """The actor's conversations by last activity, each with `unread` and `title`."""
    conversations = list(
        _with_unread(visible_conversations(actor), actor)
        .select_related("group")
        .order_by(F("last_message_at").desc(nulls_last=True), "-created_at")
    )
    others = direct_partners(actor, [c.pk for c in conversations if c.kind == "direct"])
    for conversation in conversations:
        conversation.title = conversation_title(conversation, others.get(conversation.pk))
    return conversations


def read_position(actor, conversation: Conversation) -> int | None:
    """How far actor has read (None: a group room never opened, which counts as read)."""
    return (
        Participant.objects.filter(conversation=conversation, agent_id=actor.pk)
        .values_list("last_read_seq", flat=True)
        .first()
    )


def unread_total(actor) -> int:
    """The header badge's number on every page: one statement compiled once per process
    (building it with the ORM cost more CPU than the rest of the page frame), with the
    same rules as visible_conversations and _with_unread, the actor's groups read by the
    statement itself."""
    if not group_access.is_active_agent(actor):
        return 0
    sql, params = _unread_total_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [actor.pk if p == _STAND_IN else p for p in params])
        row = cursor.fetchone()
    return int(row[0] or 0)


@functools.cache
def _unread_total_sql(vendor: str) -> tuple[str, tuple]:
    """unread_total's statement, (sql, params with a stand-in for the actor's id)."""
    member_of = Membership.objects.filter(agent_id=_STAND_IN).values("group_id")
    participates = Participant.objects.filter(
        conversation=OuterRef("pk"), agent_id=_STAND_IN, left_at__isnull=True
    )
    # visible_conversations(actor), with its member_group_ids as a subquery.
    visible = Conversation.objects.filter(
        Q(kind=Conversation.Kind.GROUP, group_id__in=member_of)
        | (~Q(kind=Conversation.Kind.GROUP) & Exists(participates))
    )
    stand_in = User(pk=_STAND_IN)
    inner, params = _with_unread(visible, stand_in).values("unread").query.sql_with_params()
    if _STAND_IN not in params:
        raise RuntimeError("the unread total lost its actor parameter")
    # inner is Django's own compilation, values are parameters: nothing from a request.
    return f"SELECT SUM(counts.unread) FROM ({inner}) counts", tuple(params)  # noqa: S608


def direct_partners(actor, conversation_ids) -> dict[int, User]:
    rows = (
        Participant.objects.filter(conversation_id__in=conversation_ids)
        .exclude(agent_id=actor.pk)
        .select_related("agent")
    )
    return {row.conversation_id: row.agent for row in rows}


def conversation_title(conversation: Conversation, partner: User | None = None) -> str:
    if conversation.kind == Conversation.Kind.GROUP:
        return conversation.group.name
    if conversation.kind == Conversation.Kind.DIRECT:
        return partner.display_name if partner else str(conversation)
    return conversation.name


def conversation_detail_title(actor, conversation: Conversation) -> str:
    partner = None
    if conversation.kind == Conversation.Kind.DIRECT:
        partner = direct_partners(actor, [conversation.pk]).get(conversation.pk)
    return conversation_title(conversation, partner)


def conversation_participants(conversation: Conversation) -> QuerySet[User]:
    if conversation.kind == Conversation.Kind.GROUP:
        return User.objects.filter(memberships__group_id=conversation.group_id, is_active=True)
    return User.objects.filter(
        chat_participations__conversation=conversation,
        chat_participations__left_at__isnull=True,
        is_active=True,
    )


# A stand-in for the id in the audience SQL compiled once below.
_STAND_IN = -(2**62) + 3


def _audience_rows(group: bool, ref) -> QuerySet:
    """The rule of who may read a conversation's events: the active members of its group
    (group rooms), or its active current participants. `ref`: the group's or the
    conversation's id, a value or an OuterRef."""
    if group:
        rows = Membership.objects.filter(group_id=ref, agent__is_active=True)
    else:
        rows = Participant.objects.filter(
            conversation_id=ref, left_at__isnull=True, agent__is_active=True
        )
    return rows.values_list("agent_id", flat=True)


@functools.cache
def _audience_sql(vendor: str, group: bool) -> tuple[str, tuple]:
    """conversation_audience's query, compiled once per process (building it with the
    ORM cost about 1 ms on every send): (sql, params with a stand-in for the id)."""
    sql, params = _audience_rows(group, _STAND_IN).query.sql_with_params()
    if _STAND_IN not in params:
        raise RuntimeError("the audience query lost its id parameter")
    return sql, tuple(params)


@functools.cache
def audience_arrays_sql(vendor: str) -> tuple[str, tuple, int]:
    """PostgreSQL: conversation_audience as one row, for a statement that reads it with
    the change it makes (the chat send path): two arrays, the group's readers then the
    participants' (take the first for group rooms). Returns (sql, params, the stand-in for
    the conversation's id among the params), compiled once per process."""
    from django.contrib.postgres.expressions import ArraySubquery

    rows = Conversation.objects.filter(pk=_STAND_IN).values_list(
        ArraySubquery(_audience_rows(True, OuterRef("group_id"))),
        ArraySubquery(_audience_rows(False, OuterRef("pk"))),
    )
    sql, params = rows.query.sql_with_params()
    if _STAND_IN not in params:
        raise RuntimeError("the audience query lost its id parameter")
    return sql, tuple(params), _STAND_IN


def conversation_audience(conversation: Conversation) -> list[int]:
    """Ids of the active agents who may read the conversation now (read in the caller's
    transaction, so an event goes exactly to who could read it when it was committed)."""
    group = conversation.kind == Conversation.Kind.GROUP
    sql, params = _audience_sql(connection.vendor, group)
    value = conversation.group_id if group else conversation.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [value if p == _STAND_IN else p for p in params])
        return [row[0] for row in cursor.fetchall()]


def subscription_targets(actor, *, group_ids=None) -> tuple[set[int], set[int]]:
    """(conversation ids, group ids) a socket of actor listens to.

    group_ids: actor's groups (member_group_ids) when the caller has just read them."""
    from intranet.groups.access import member_group_ids

    if group_ids is None:
        group_ids = member_group_ids(actor)
    visible = visible_conversations(actor, group_ids=group_ids)
    return set(visible.values_list("pk", flat=True)), set(group_ids)


def _messages(conversation: Conversation) -> QuerySet[Message]:
    return Message.objects.filter(conversation=conversation).select_related("sender")


def message_page(conversation: Conversation, *, before_seq=None, limit=PAGE_SIZE) -> list[Message]:
    """The `limit` messages before before_seq (the latest ones without it), oldest first."""
    messages = _messages(conversation)
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    page = list(messages.order_by("-seq")[:limit])
    page.reverse()
    return page


def messages_since(conversation: Conversation, rev: int, *, limit=REPLAY_LIMIT):
    """Messages changed after revision rev, in revision order; (messages, truncated)."""
    rows = list(_messages(conversation).filter(rev__gt=rev).order_by("rev")[: limit + 1])
    return rows[:limit], len(rows) > limit


def reactions_by_message(message_ids) -> dict[int, dict[str, list[int]]]:
    result: dict[int, dict[str, list[int]]] = {}
    rows = Reaction.objects.filter(message_id__in=message_ids).order_by("pk")
    for message_id, kind, agent_id in rows.values_list("message_id", "kind", "agent_id"):
        result.setdefault(message_id, {}).setdefault(kind, []).append(agent_id)
    return result


def agent_fragment(agent) -> dict:
    """An agent as frames show them: a message's sender, who is typing."""
    return {
        "id": agent.pk,
        "name": agent.display_name,
        "username": agent.username,
        "initials": agent.initials,
    }


def message_payload(message: Message, reactions: dict | None = None) -> dict:
    """What clients receive for a message: the same for every reader of the conversation."""
    deleted = message.is_deleted
    payload = {
        "id": message.pk,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "rev": message.rev,
        "sender": agent_fragment(message.sender),
        "parent": message.parent_id,
        "key": message.idempotency_key,
        "body": "" if deleted else message.body,
        "html": "" if deleted else message.body_html,
        "created_at": message.created_at.isoformat(),
        "time": timezone.localtime(message.created_at).strftime("%H:%M"),
        "day": timezone.localdate(message.created_at).isoformat(),
        "edited": message.edited_at is not None,
        "deleted": deleted,
        "reactions": {} if deleted else (reactions or {}),
        "attachment": None,
        # Only the ids of linked documents (already in the text): never a name. Each
        # reader's client asks for the cards it may see (chat:message-cards).
        "documents": [] if deleted else document_ids(message.body_html),
    }
    if message.attachment and not deleted:
        payload["attachment"] = {
            "name": message.attachment_name,
            "size": message.attachment_size,
            "type": message.attachment_type,
            "is_image": message.attachment_type.startswith("image/"),
            "alt": message.attachment_alt,
            "decorative": message.attachment_decorative,
            "url": reverse("chat:attachment", args=[message.pk]),
        }
    return payload


def message_thread(payloads, *, me: int, read_seq: int | None = None) -> list[dict]:
    """Payloads as a conversation page shows them to agent `me` (chat.js applies the same
    rules to what arrives live, see its regroup): `mine`; `new_day` before the first message
    of each day (`day_date`); `first_unread` on the first message of another agent after
    read_seq (the "new messages" marker); `continued` when the message follows one of the
    same sender within GROUP_WITHIN on the same day, with no marker between (shown
    without avatar and name); `reaction_list`, (kind, label, count, mine) in the kinds'
    order."""
    rows, previous, marked = [], None, read_seq is None
    for payload in payloads:
        row = dict(payload)
        row["mine"] = payload["sender"]["id"] == me
        row["new_day"] = previous is None or previous["day"] != payload["day"]
        row["day_date"] = date.fromisoformat(payload["day"])
        row["first_unread"] = not marked and not row["mine"] and payload["seq"] > read_seq
        marked = marked or row["first_unread"]
        row["continued"] = (
            previous is not None
            and not row["new_day"]
            and not row["first_unread"]
            and not payload["parent"]
            and previous["sender"]["id"] == payload["sender"]["id"]
            and _created(payload) - _created(previous) <= GROUP_WITHIN
        )
        reactions = payload["reactions"]
        row["reaction_list"] = [
            (kind, label, len(reactions[kind]), me in reactions[kind])
            for kind, label in Reaction.Kind.choices
            if reactions.get(kind)
        ]
        rows.append(row)
        previous = payload
    return rows


def _created(payload: dict) -> datetime:
    return datetime.fromisoformat(payload["created_at"])


def message_payloads(messages) -> list[dict]:
    reactions = reactions_by_message([m.pk for m in messages])
    return [message_payload(m, reactions.get(m.pk)) for m in messages]


def payload_cards_attach(actor, payloads: list[dict]) -> list[dict]:
    """For a page rendered for actor: each payload's "cards" (one query for the page)."""
    found = document_cards(actor, {pk for p in payloads for pk in p.get("documents", ())})
    for payload in payloads:
        payload["cards"] = [found[pk] for pk in payload.get("documents", ()) if pk in found]
    return payloads


MAX_CARD_IDS = 50


def cards_for_reader(actor, raw_ids: str) -> dict[str, str]:
    """{document id: card markup} for the documents among raw_ids ("4,8,15") that actor
    may see; the others are simply absent (the same answer as a missing id)."""
    ids = []
    for part in (raw_ids or "").split(",")[:MAX_CARD_IDS]:
        part = part.strip()
        if part.isdigit() and 0 < int(part) < 2**63:
            ids.append(int(part))
    found = document_cards(actor, set(ids))
    return {str(pk): cards_html([card]) for pk, card in found.items()}


def read_by(conversation: Conversation, message: Message) -> list[User]:
    """Who has read up to message ("vu par"), the sender excepted."""
    return list(
        User.objects.filter(
            chat_participations__conversation=conversation,
            chat_participations__last_read_seq__gte=message.seq,
            is_active=True,
        ).exclude(pk=message.sender_id)
    )
