"""Chat messages' retention (intranet.core.retention): TRANSVERSE_RETENTION_CHAT_DAYS
(0, the default: kept for ever). An old message goes with its reactions, its attachment
file (after commit) and its search document (the index's remove queue)."""

from functools import partial

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from intranet.chat.models import Message
from intranet.chat.search import MessageDocuments
from intranet.core.bulk import rows_insert
from intranet.core.retention import RetentionRule, retention_register
from intranet.search.models import IndexEntry
from intranet.search.services import search_indexer_kick_after_commit


def messages_expired(before):
    return Message.objects.filter(created_at__lt=before)


def _files_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def messages_remove(pks: list[int]) -> int:
    """Delete these messages, their files and their search documents."""
    messages = Message.objects.filter(pk__in=pks)
    files = [name for name in messages.values_list("attachment", flat=True) if name]
    rows_insert(
        IndexEntry,
        [
            {"kind": MessageDocuments.kind, "object_id": pk, "action": IndexEntry.Action.REMOVE}
            for pk in pks
        ],
    )
    search_indexer_kick_after_commit()
    count, _ = messages.delete()
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
