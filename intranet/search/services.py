"""Recording what the index must learn, in the same transaction as the change itself.

Services of indexed apps call `search_index_later(obj)` after any change to an indexed
object (creation, edit, deletion, restriction: the indexer reads the object's state when it
runs and indexes or removes it) and `search_remove_later(kind, pk)` before deleting a row
for good. The queue row commits or rolls back with the change; after commit the indexer
task is nudged.
"""

import functools
import logging
import time

from django.core.cache import cache
from django.db import transaction

from intranet.core.bulk import insert_select_sql, rows_insert
from intranet.search.models import IndexEntry
from intranet.search.registry import document_type_for

logger = logging.getLogger(__name__)
KICK_KEY = "transverse:search:kick"


def search_index_later(obj) -> IndexEntry:
    kind = document_type_for(obj).kind
    entry = IndexEntry.objects.create(kind=kind, object_id=obj.pk)
    transaction.on_commit(kick_indexer)
    return entry


def search_index_later_sql(model, id_expression: str, source: str) -> tuple[str, list]:
    """search_index_later for an object that the caller's own statement creates.

    Returns (sql, params) of an INSERT ... SELECT of the queue row, whose object id is
    `id_expression` over `source` (a part of that statement): for a data-modifying CTE
    on PostgreSQL that stores an object and queues it at once (the chat send path). The
    caller then calls `search_indexer_kick_after_commit()`.
    """
    entry = IndexEntry(kind=_kind_of(model), object_id=0)
    return insert_select_sql(entry, {"object_id": id_expression}, source)


@functools.cache
def _kind_of(model) -> str:
    return document_type_for(model()).kind


def search_indexer_kick_after_commit() -> None:
    transaction.on_commit(kick_indexer)


def search_remove_later(kind: str, pk: int) -> IndexEntry:
    entry = IndexEntry.objects.create(kind=kind, object_id=pk, action=IndexEntry.Action.REMOVE)
    transaction.on_commit(kick_indexer)
    return entry


def search_index_many_later(kind: str, pks) -> int:
    """Queue many objects of one kind (search_check repairs, bulk imports, directory sync).

    One prepared INSERT for all rows (intranet.core.bulk): a directory's first sync queues
    tens of thousands of agents, where bulk_create() would cost more than the sync itself.
    """
    count = rows_insert(IndexEntry, [{"kind": kind, "object_id": pk} for pk in pks])
    if count:
        transaction.on_commit(kick_indexer)
    return count


KICK_SECONDS = 1.0
_last_kick = {"at": float("-inf")}


def kick_indexer() -> None:
    """Ask the task worker to drain the queue, at most about once a second per process.

    The drain task keeps polling a moment after the queue looks empty, so a change that
    lands just after a kick is still picked up by the task that kick started. A process
    that kicked less than a second ago does not ask the cache again (a busy chat would
    otherwise pay a round trip to Redis on every message).
    """
    now = time.monotonic()
    if now - _last_kick["at"] < KICK_SECONDS:
        return
    _last_kick["at"] = now
    try:
        if not cache.add(KICK_KEY, 1, timeout=KICK_SECONDS):
            return
        from intranet.search.tasks import search_drain_enqueue

        search_drain_enqueue()  # at most one drain waits, whoever kicks
    except Exception:
        # The queue row is committed (the cache, e.g. Redis, or the task queue may be down):
        # `search_index` or the next kick will apply it. Never fail the write that asked.
        logger.warning("could not enqueue the search indexer task", exc_info=True)


def agents_reindex_later(agent_ids: list[int]) -> None:
    """The leaver hook (accounts.leavers): a switched-off agent's card leaves the results."""
    search_index_many_later("agent", agent_ids)
