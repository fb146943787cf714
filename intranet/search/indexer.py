"""The one indexer: drains the queue into the engine in small batches.

Only the holder of the engine's writer lock applies entries, so concurrent writers never
meet Whoosh's LockError: they only insert queue rows. Entries are marked done after the
engine committed; a crash in between replays the batch, which is harmless (indexing reads
the object's current state; removing twice removes nothing).
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intranet.search.engines import SearchEngine, get_engine
from intranet.search.models import IndexEntry
from intranet.search.registry import Document, document_type, document_types

logger = logging.getLogger(__name__)
MAX_ERROR = 2000
KEEP_DONE = timedelta(days=1)  # a rebuild catches up from these: longer than a rebuild


def batch_size() -> int:
    return getattr(settings, "TRANSVERSE_SEARCH_BATCH_SIZE", 200)


def documents_for(kind: str, pks) -> tuple[list[Document], list[str], list[tuple[str, int]]]:
    """Documents to (re)write, keys to remove and dependents to follow, for kind's pks."""
    doc_type = document_type(kind)
    if doc_type is None:
        return [], [f"{kind}:{pk}" for pk in pks], []
    found = {obj.pk: obj for obj in doc_type.indexable().filter(pk__in=pks)}
    documents = [doc_type.document(found[pk]).with_digest() for pk in pks if pk in found]
    removed = [f"{kind}:{pk}" for pk in pks if pk not in found]
    dependents = []
    for obj in doc_type.model._default_manager.filter(pk__in=pks):
        dependents.extend(doc_type.dependents(obj))
    return documents, removed, dependents


def _resolve(entries: list[IndexEntry]) -> tuple[list[Document], list[str]]:
    by_kind: dict[str, set[int]] = {}
    removed: set[str] = set()
    for entry in entries:
        if entry.action == IndexEntry.Action.REMOVE:
            removed.add(entry.key)
        by_kind.setdefault(entry.kind, set()).add(entry.object_id)
    documents: dict[str, Document] = {}
    seen: set[str] = set()
    while by_kind:
        kind, pks = by_kind.popitem()
        pks = sorted(pk for pk in pks if f"{kind}:{pk}" not in seen)
        seen.update(f"{kind}:{pk}" for pk in pks)
        docs, gone, dependents = documents_for(kind, pks)
        documents.update((d.key, d) for d in docs)
        removed.update(gone)
        for dep_kind, dep_pk in dependents:
            if f"{dep_kind}:{dep_pk}" not in seen:
                by_kind.setdefault(dep_kind, set()).add(dep_pk)
    return list(documents.values()), sorted(removed - documents.keys())


def apply_batch(engine: SearchEngine, size: int) -> int:
    """Apply up to size pending entries; return how many were handled."""
    with transaction.atomic() if getattr(engine, "transactional", False) else _nothing():
        entries = list(IndexEntry.objects.filter(done_at__isnull=True).order_by("id")[:size])
        if not entries:
            return 0
        documents, removed = _resolve(entries)
        engine.apply(documents, removed)
        IndexEntry.objects.filter(pk__in=[e.pk for e in entries]).update(done_at=timezone.now())
    return len(entries)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class DrainRun(NamedTuple):
    applied: int
    complete: bool  # False: stopped by the budget or a stop request, entries may remain


def drain(*, size: int | None = None, lock_timeout: float = 5.0, linger: float = 0.0) -> int:
    """Apply pending entries until none is left (then wait linger seconds for more).

    Returns how many entries were applied; 0 also when another indexer holds the lock.
    """
    return drain_run(size=size, lock_timeout=lock_timeout, linger=linger).applied


def drain_run(
    *,
    size: int | None = None,
    lock_timeout: float = 5.0,
    linger: float = 0.0,
    budget: float | None = None,
    stop: Callable[[], bool] = lambda: False,
    linger_while: Callable[[], bool] = lambda: True,
) -> DrainRun:
    """drain(), bounded: batches stop after `budget` seconds or once stop() is true, and
    lingering ends as soon as linger_while() is false (the worker has other tasks)."""
    engine = get_engine()
    size = size or batch_size()
    applied = 0
    started = time.monotonic()
    with engine.writer_lock(lock_timeout) as locked:
        if not locked:
            return DrainRun(0, True)
        if not engine.exists():
            logger.warning("search index missing: rebuilding it from the database")
            rebuild(engine)
        idle_since = None
        while True:
            if stop():
                return DrainRun(applied, False)
            n = apply_batch(engine, size)
            applied += n
            if n:
                idle_since = None
                if budget is not None and time.monotonic() - started >= budget:
                    return DrainRun(applied, False)  # at least one batch per run
                continue
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= linger or not linger_while():
                break
            time.sleep(0.1)
        IndexEntry.objects.filter(done_at__lt=timezone.now() - KEEP_DONE).delete()
    return DrainRun(applied, True)


def pending_exists() -> bool:
    return IndexEntry.objects.filter(done_at__isnull=True).exists()


def all_documents(progress=None):
    """Every document the database says should be indexed, kind after kind."""
    for doc_type in document_types().values():
        for obj in doc_type.indexable().order_by("pk").iterator(chunk_size=1000):
            yield doc_type.document(obj).with_digest()
            if progress is not None:
                progress(1)


def indexable_count() -> int:
    return sum(t.indexable().count() for t in document_types().values())


def rebuild(engine: SearchEngine | None = None, progress=None) -> int:
    """A full index built beside the live one, caught up with the queue, then swapped in.

    Entries queued after the build started are re-applied to the new index under the
    writer lock just before the swap, so no change made during the rebuild is lost.
    """
    engine = engine or get_engine()
    started = timezone.now()
    mark = IndexEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def catch_up(write):
        # Late commits (an id below mark) are either still pending or done after `started`.
        recent = Q(id__gt=mark) | Q(done_at__isnull=True) | Q(done_at__gte=started)
        entries = list(IndexEntry.objects.filter(recent).order_by("id"))
        for start in range(0, len(entries), 500):
            documents, removed = _resolve(entries[start : start + 500])
            write(documents, removed)

    count = engine.rebuild(all_documents(progress), catch_up=catch_up)
    return count
