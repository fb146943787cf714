"""The send path's SQL, compiled by hand once per process: the rate limit's counter,
the numbering UPDATE (which authorises through the access model) and the one statement
that stores a common message on PostgreSQL.

Building and compiling the ORM's queries cost more than running them on this path (a
reconnect storm, a busy room: docs/realtime.md, *Performance*). Identifiers come from
the models' metadata and SQL from Django's compiler only; every value is a parameter.
The writes that run these are in chat.services.messages; the checks in .checks.
"""

import functools

from django.db import connection
from django.utils import timezone

from intranet.accounts.models import User
from intranet.chat import access, selectors
from intranet.chat.models import Conversation, Message, Participant, SendCount
from intranet.chat.services.checks import rate_window
from intranet.core.bulk import insert_select_sql
from intranet.search.services import search_index_later_sql

# The conversation's columns that the numbering UPDATE returns, in this order.
CONVERSATION_ROW = ("id", "kind", "group_id", "last_seq", "last_rev")

# Stand-ins for the actor's and the conversation's ids in the SQL compiled once below.
_ACTOR, _CONVERSATION = -(2**62) + 1, -(2**62) + 2


def conversation_from_row(row) -> Conversation:
    """The conversation as CONVERSATION_ROW returned it (no second read)."""
    return Conversation.from_db(connection.alias, list(CONVERSATION_ROW), row)


@functools.cache
def rate_sql(vendor: str) -> str:
    """Count one more message of the agent in the current minute, unless the limit is
    reached (then no row is returned). One row per agent (SendCount): the cost is the
    same whatever the limit and however many messages the agent sent before. Its
    parameters: checks.rate_window."""
    quote = connection.ops.quote_name
    table = quote(SendCount._meta.db_table)
    fields = [SendCount._meta.get_field(name) for name in ("agent", "minute", "sent")]
    agent, minute, sent = (quote(field.column) for field in fields)
    return (
        f"INSERT INTO {table} ({agent}, {minute}, {sent}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({agent}) DO UPDATE SET {sent} = CASE WHEN {table}.{minute} = "
        f"excluded.{minute} THEN {table}.{sent} + 1 ELSE 1 END, {minute} = excluded.{minute} "
        f"WHERE {table}.{minute} <> excluded.{minute} OR {table}.{sent} < %s "
        f"RETURNING {sent}"
    )


@functools.cache
def numbering_update(vendor: str, *, rated: bool = False) -> tuple[str, tuple]:
    """The send path's UPDATE, compiled once per process: (sql, params with stand-ins).

    Building and compiling access.writable_conversations costs more than running it;
    its SQL depends only on the two ids, so it is compiled once with stand-in values
    that numbering_params replaces by the real ones (the rule itself stays the access
    model's: change it there and this follows at the next start).
    """
    stand_in = User(pk=_ACTOR, is_active=True)
    allowed = access.writable_conversations(stand_in).filter(pk=_CONVERSATION).values("pk")
    subquery, params = allowed.query.sql_with_params()
    # rated: in message_store_sql's statement, after its `rate` part (rate_sql), which
    # returns no row when the agent reached the rate limit.
    sql = (
        f"UPDATE {Conversation._meta.db_table} SET last_rev = last_rev + 1, "  # noqa: S608
        f"last_seq = last_seq + 1, last_message_at = %s WHERE id IN ({subquery}) "
        f"{'AND EXISTS (SELECT 1 FROM rate) ' if rated else ''}"
        f"RETURNING {', '.join(CONVERSATION_ROW)}"
    )
    if _ACTOR not in params or _CONVERSATION not in params:
        raise RuntimeError("the send path's UPDATE lost its actor or conversation parameter")
    return sql, tuple(params)


def numbering_params(actor, pk: int, now=None) -> list:
    """The parameters of numbering_update for actor sending to conversation pk."""
    _sql, params = numbering_update(connection.vendor)
    given = {_ACTOR: actor.pk, _CONVERSATION: pk}
    return [
        connection.ops.adapt_datetimefield_value(now or timezone.now()),
        *(given.get(value, value) for value in params),
    ]


def message_store_sql(actor, pk: int, message: Message) -> tuple[str, list]:
    """One statement (PostgreSQL's data-modifying CTEs) that authorises actor, counts the
    send against the rate limit, numbers, stores message, moves the sender's read
    position, queues the message for search and reads the event's audience. It returns
    CONVERSATION_ROW, the message's id, and the audience of a group room and of another
    conversation (selectors.audience_arrays_sql)."""
    vendor = connection.vendor
    computed = {"conversation_id": "conv.id", "seq": "conv.last_seq", "rev": "conv.last_rev"}
    insert_sql, insert_params = insert_select_sql(message, computed, "conv")
    queue_sql, queue_params = search_index_later_sql(Message, "msg.id", "msg")
    update_sql, _update_params = numbering_update(vendor, rated=True)
    audience_sql, audience_params, audience_id = selectors.audience_arrays_sql(vendor)
    part = connection.ops.quote_name(Participant._meta.db_table)
    conv_columns = ", ".join(f"conv.{column}" for column in CONVERSATION_ROW)
    sql = (
        f"WITH rate AS ({rate_sql(vendor)}), conv AS ({update_sql}), "  # noqa: S608
        f"msg AS ({insert_sql} RETURNING id), "
        f"part AS (UPDATE {part} SET last_read_seq = conv.last_seq FROM conv "
        f"WHERE {part}.conversation_id = conv.id AND {part}.agent_id = %s), "
        f"queued AS ({queue_sql}), aud AS ({audience_sql}) "
        f"SELECT {conv_columns}, msg.id, aud.* FROM conv, msg, aud"
    )
    params = [
        *rate_window(actor),
        *numbering_params(actor, pk, message.created_at),
        *insert_params,
        actor.pk,
        *queue_params,
        *(pk if value == audience_id else value for value in audience_params),
    ]
    return sql, params
