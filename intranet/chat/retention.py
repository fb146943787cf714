"""Chat messages' retention (intranet.core.retention): TRANSVERSE_RETENTION_CHAT_DAYS
(0, the default: kept for ever). An old message goes with its reactions, its attachment
file (after commit) and its search document (the index's remove queue).

Set-based: a batch of a thousand messages costs a handful of statements, never a row
loaded into Python (Django's delete() would load each message to collect its reactions
and replies, and the run crawled at 900 messages a second). What delete() would have
done is done in SQL: reactions deleted, replies' parent set to NULL. The list of what
points at a message is checked by tests/core/test_retention.py, so a new relation or a
delete signal on Message cannot be skipped silently here.
"""

from functools import partial

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from intranet.chat.models import Message, Reaction
from intranet.chat.search import MessageDocuments
from intranet.core.bulk import insert_select_sql
from intranet.core.retention import RetentionRule, retention_register
from intranet.search.models import IndexEntry
from intranet.search.services import search_indexer_kick_after_commit


def messages_expired(before):
    return Message.objects.filter(created_at__lt=before)


def _files_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _index_removals_queue(pks: list[int]) -> None:
    """One INSERT ... SELECT of the search remove queue's rows for these messages (a
    thousand single-row inserts took half the batch's time)."""
    entry = IndexEntry(kind=MessageDocuments.kind, object_id=0, action=IndexEntry.Action.REMOVE)
    quote = connection.ops.quote_name
    key = quote(Message._meta.pk.column)
    sql, params = insert_select_sql(entry, {"object_id": key}, quote(Message._meta.db_table))
    where = " WHERE {} IN ({})".format(key, ", ".join(["%s"] * len(pks)))
    with connection.cursor() as cursor:
        cursor.execute(sql + where, [*params, *pks])
    search_indexer_kick_after_commit()


def messages_remove(pks: list[int]) -> int:
    """Delete these messages, their reactions, their files and their search documents."""
    messages = Message.objects.filter(pk__in=pks)
    files = list(messages.exclude(attachment="").values_list("attachment", flat=True))
    _index_removals_queue(pks)
    reactions = Reaction.objects.filter(message_id__in=pks)
    reactions._raw_delete(reactions.db)
    Message.objects.filter(parent_id__in=pks).update(parent=None)  # on_delete=SET_NULL
    count = messages._raw_delete(messages.db)
    if files:
        transaction.on_commit(partial(_files_delete, files))
    return count


retention_register(
    RetentionRule(
        name="chat",
        label=_("Chat messages"),
        setting="TRANSVERSE_RETENTION_CHAT_DAYS",
        expired=messages_expired,
        remove=messages_remove,
    )
)
