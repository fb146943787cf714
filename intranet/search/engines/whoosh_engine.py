"""The embedded engine: a Whoosh (whoosh-reloaded) index in a folder.

Layout: TRANSVERSE_SEARCH_INDEX_DIR/CURRENT names the live generation folder beside it;
a rebuild fills a new generation and swaps CURRENT atomically (os.replace), so searches
keep working during a rebuild. Only the holder of indexer.lock writes, so Whoosh's own
single-writer lock is never contended. Searchers are kept per thread and refreshed only
when the index changed.
"""

import heapq
import logging
import shutil
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.util.times import datetime_to_long

from intranet.core.text import fold
from intranet.search.analysis import analyze, french_analyzer
from intranet.search.engines import (
    PERIODS,
    EngineQuery,
    EngineResult,
    SearchEngine,
    SearchUnavailable,
)
from intranet.search.engines.generations import Generations
from intranet.search.registry import Document

logger = logging.getLogger(__name__)


MAX_RESULTS_WINDOW = 1000
FACET_FIELDS = {"kind": "kind", "department": "department", "group": "group", "author": "author"}
COLUMNS = (*FACET_FIELDS.values(), "created")
RANK_CAP = 1000  # matches ranked by relevance (the most recent ones beyond)
ACL_CACHE_SIZE = 64  # token sets kept per searcher (one per agent searching)
SEGMENT_CACHE_SIZE = 256  # segments whose columns are kept


class SpelledText(TEXT):
    """TEXT whose unstemmed words reach the spelling dictionary once per writer.

    Whoosh adds every document's words to the segment's spelling graph and removes the
    duplicates at commit: a third of all items sorted during a rebuild. Each writer reads
    its own copy of the schema from the index, so a word this field already gave in this
    writer is in the new segment's graph; the set is not saved with the schema.
    """

    def spellable_words(self, value):
        seen = self.__dict__.setdefault("_spelled", set())
        new = [word for word in super().spellable_words(value) if word not in seen]
        seen.update(new)
        return iter(new)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_spelled", None)
        return state


class CreatedColumn(COLUMN):
    """The date as a column only: date order, the period facet and the "since" filter read
    it from the column cache, so the sixteen range terms a DATETIME field writes per
    document (a fifth of all postings) are not needed. Indexes made with DATETIME(sortable)
    hold the same column values and keep working."""

    def __init__(self):
        super().__init__(NumericColumn("q", default=0))

    def to_column_value(self, value):
        return datetime_to_long(value) if isinstance(value, datetime) else int(value)


def schema() -> Schema:
    analyzer = french_analyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        acl=KEYWORD(scorable=False),
        title=TEXT(analyzer=analyzer, field_boost=2.0),
        body=SpelledText(analyzer=analyzer, spelling=True),
        author=ID(sortable=True),
        group=ID(sortable=True),
        department=ID(sortable=True),
        created=CreatedColumn(),
        digest=STORED(),
    )


def fields_of(doc: Document) -> dict:
    fields = {
        "key": doc.key,
        "kind": doc.kind,
        "acl": " ".join(doc.acl),
        "title": doc.title,
        "body": doc.body,
        "digest": doc.digest,
    }
    for name, value in (
        ("author", doc.author_id),
        ("group", doc.group_id),
        ("department", doc.department_id),
    ):
        if value is not None:
            fields[name] = str(value)
    if doc.created_at is not None:
        fields["created"] = timezone.make_naive(doc.created_at, UTC)
    return fields


class WhooshEngine(Generations, SearchEngine):
    name = "whoosh"

    def __init__(self, place: str):
        self._init_generations(place)
        self._local = threading.local()
        self._index_lock = threading.Lock()
        self._indexes: dict[str, whoosh_index.Index] = {}
        self._segment_columns: dict[tuple, dict[str, list]] = {}

    # --- the live generation ---
    def _open(self, generation: str) -> whoosh_index.Index:
        with self._index_lock:
            ix = self._indexes.get(generation)
            if ix is None:
                ix = whoosh_index.open_dir(str(self.root / generation))
                self._indexes = {generation: ix}
            return ix

    def exists(self) -> bool:
        generation = self._generation()
        return bool(generation) and whoosh_index.exists_in(str(self.root / generation))

    def verify(self) -> None:
        # A fresh Index, not the cached one: open files outlive a damaged copy on disk.
        ix = whoosh_index.open_dir(str(self.root / self._generation()))
        with ix.searcher() as searcher:
            searcher.doc_count()

    def _live_index(self) -> whoosh_index.Index:
        generation = self._generation()
        if generation is None or not (self.root / generation).is_dir():
            raise SearchUnavailable(f"no search index in {self.root}")
        try:
            return self._open(generation)
        except Exception as exc:
            logger.exception("search index %s cannot be opened", self.root / generation)
            raise SearchUnavailable(str(exc)) from exc

    def _searcher(self):
        generation = self._generation()
        cached = getattr(self._local, "searcher", None)
        try:
            if cached is not None and cached[0] == generation:
                searcher = cached[1]
                if not searcher.up_to_date():
                    # Not searcher.refresh(): it keeps segments' old deletion lists.
                    searcher.close()
                    searcher = self._live_index().searcher()
            else:
                if cached is not None:
                    cached[1].close()
                searcher = self._live_index().searcher()
        except SearchUnavailable:
            self._local.searcher = None
            raise
        except Exception as exc:
            self._local.searcher = None
            logger.exception("search index %s cannot be read", self.root)
            raise SearchUnavailable(str(exc)) from exc
        self._local.searcher = (generation, searcher)
        return searcher

    # --- writing (the indexer only) ---
    def apply(self, documents: list[Document], removed_keys: list[str]) -> None:
        if not self.exists():
            raise SearchUnavailable(f"no search index in {self.root}")
        self._write(self._live_index(), documents, removed_keys)

    @staticmethod
    def _write(ix, documents, removed_keys) -> None:
        writer = ix.writer(timeout=30.0)
        try:
            for key in removed_keys:
                writer.delete_by_term("key", key)
            for doc in documents:
                writer.update_document(**fields_of(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, documents, *, catch_up) -> int:
        generation, path = self._new_generation()
        ix = whoosh_index.create_in(str(path), schema())
        writer = ix.writer(limitmb=256)
        count = 0
        try:
            for doc in documents:
                writer.add_document(**fields_of(doc))
                count += 1
        except BaseException:
            writer.cancel()
            shutil.rmtree(path, ignore_errors=True)
            raise
        writer.commit()
        self._go_live(
            generation, path, catch_up, lambda docs, removed: self._write(ix, docs, removed)
        )
        return count

    # --- reading ---
    def search(self, query: EngineQuery) -> EngineResult:
        """Matching documents as a set first (no scoring), then only the page is ranked.

        The set gives the total and the facets (counted from per-segment column caches);
        ranking runs on the set with Whoosh's block-quality skipping, so a frequent word
        no longer scores every match; date order reads the cached date column.
        """
        searcher = self._searcher()
        q = self._text_query(query)
        if q is None:
            return EngineResult(hits=[], total=0)
        window = min(query.offset + query.limit, MAX_RESULTS_WINDOW)
        try:
            matched = self._docs(searcher, q)
            allowed = self._filter(searcher, query)
            if allowed is not None:
                matched &= allowed
            if query.since is not None and matched:
                created = self._columns(searcher)["created"]
                since = datetime_to_long(timezone.make_naive(query.since, UTC))
                matched = {docnum for docnum in matched if created[docnum] >= since}
            if query.exclude_keys and matched:
                matched -= self._docs(
                    searcher, wq.Or([wq.Term("key", k) for k in query.exclude_keys])
                )
            top = self._top(searcher, q, matched, query, window) if query.offset < window else []
            hits = [searcher.stored_fields(docnum)["key"].split(":", 1) for docnum in top]
            facets = self._facet_counts(searcher, matched, query) if query.facets else {}
        except Exception as exc:
            logger.exception("search failed on index %s", self.root)
            raise SearchUnavailable(str(exc)) from exc
        return EngineResult(
            hits=[(k, int(pk)) for k, pk in hits], total=len(matched), facets=facets
        )

    def _top(self, searcher, q, matched: set[int], query: EngineQuery, window: int) -> list[int]:
        if not matched:
            return []
        created = self._columns(searcher)["created"]
        if query.sort == "date" or isinstance(q, wq.Every):
            top = heapq.nlargest(window, matched, key=lambda docnum: (created[docnum], docnum))
            return top[query.offset : window]
        candidates = matched
        if len(matched) > RANK_CAP:
            # A very frequent word: relevance among the most recent matches (as PostgreSQL).
            candidates = heapq.nlargest(RANK_CAP, matched, key=created.__getitem__)
        scored = self._scores(searcher, q, sorted(candidates))
        top = heapq.nsmallest(window, scored)
        return [docnum for _score, docnum in top][query.offset : window]

    @staticmethod
    def _scores(searcher, q, candidates: list[int]) -> list[tuple[float, int]]:
        """(-score, docnum) of the candidates (sorted), skipping postings between them."""
        scored = []
        context = searcher.context()
        position = 0
        for leaf, offset in searcher.leaf_searchers():
            end = offset + leaf.doc_count_all()
            matcher = q.matcher(leaf, context)
            while position < len(candidates) and candidates[position] < end:
                docnum = candidates[position]
                position += 1
                if not matcher.is_active():
                    continue
                matcher.skip_to(docnum - offset)
                if matcher.is_active() and matcher.id() == docnum - offset:
                    scored.append((-matcher.score(), docnum))
        return scored

    @classmethod
    def _docs(cls, searcher, q) -> set[int]:
        """Document numbers matching q (deleted ones excluded), by set algebra on postings."""
        if isinstance(q, wq.Or):
            docs: set[int] = set()
            for sub in q.subqueries:
                docs |= cls._docs(searcher, sub)
            return docs
        if isinstance(q, wq.And):
            parts = sorted((cls._docs(searcher, sub) for sub in q.subqueries), key=len)
            docs = parts[0]
            for part in parts[1:]:
                docs &= part
            return docs
        if isinstance(q, wq.AndNot):
            docs = cls._docs(searcher, q.a)
            return docs - cls._docs(searcher, q.b) if docs else docs
        return set(searcher.docs_for_query(q))

    @staticmethod
    def _clause_query(clause):
        if clause.prefix:
            word = fold(clause.text)
            options = [wq.Prefix(f, word) for f in ("title", "body")]
            stems = analyze(word)
            if stems and stems[0] != word:
                options += [wq.Prefix(f, stems[0]) for f in ("title", "body")]
            return wq.Or(options)
        stems = analyze(clause.text)
        if not stems:
            return None
        if len(stems) == 1:
            return wq.Or([wq.Term("title", stems[0]), wq.Term("body", stems[0])])
        return wq.Or([wq.Phrase("title", stems), wq.Phrase("body", stems)])

    def _text_query(self, query: EngineQuery):
        positive, negative = [], []
        for clause in query.clauses:
            sub = self._clause_query(clause)
            if sub is not None:
                (negative if clause.negated else positive).append(sub)
        if not positive:
            if any(not c.negated for c in query.clauses):
                return None  # only stop words: nothing can match
            positive = [wq.Every()]
        q = wq.And(positive) if len(positive) > 1 else positive[0]
        if negative:
            q = wq.AndNot(q, wq.Or(negative))
        return q

    def _acl_docs(self, searcher, tokens) -> set[int]:
        """Documents any of tokens opens, kept per searcher and token set (a copy is returned).

        An agent's tokens are the same from one query to the next; the set is rebuilt only
        when the index changed (a new searcher).
        """
        cache = self._per_searcher(searcher, "acl")
        docs = cache.get(tokens)
        if docs is None:
            reader = searcher.reader()
            docs = set()
            for token in tokens:
                if reader.doc_frequency("acl", token):
                    docs.update(reader.postings("acl", token).all_ids())
            if len(cache) >= ACL_CACHE_SIZE:
                cache.clear()
            cache[tokens] = docs
        return set(docs)

    def _kind_docs(self, searcher, kinds: tuple[str, ...]) -> set[int]:
        """Documents of the given kinds (staff's open kinds), kept per searcher (a copy)."""
        cache = self._per_searcher(searcher, "kinds")
        docs = cache.get(kinds)
        if docs is None:
            docs = cache[kinds] = self._docs(searcher, wq.Or([wq.Term("kind", k) for k in kinds]))
        return set(docs)

    def _per_searcher(self, searcher, name: str) -> dict:
        """A dictionary that lives as long as this thread's searcher."""
        store = getattr(self._local, "caches", None)
        if store is None or store[0] is not searcher:
            store = self._local.caches = (searcher, {})
        return store[1].setdefault(name, {})

    def _filter(self, searcher, query: EngineQuery) -> set[int] | None:
        parts = []
        if query.tokens is not None:
            allowed = self._acl_docs(searcher, query.tokens)
            if query.open_kinds:
                allowed |= self._kind_docs(searcher, query.open_kinds)
            parts.append(allowed)
        for name, values in (
            ("kind", query.kinds),
            ("author", query.author_ids),
            ("group", query.group_ids),
            ("department", query.department_ids),
        ):
            if values:
                parts.append(self._docs(searcher, wq.Or([wq.Term(name, str(v)) for v in values])))
        if not parts:
            return None
        parts.sort(key=len)
        docs = parts[0]
        for part in parts[1:]:
            docs &= part
        return docs

    def _columns(self, searcher) -> dict[str, list]:
        """Per-document values of the facet and date columns for this searcher's documents.

        Read once per segment (segments never change once written) and joined per searcher.
        """
        cache = self._per_searcher(searcher, "columns")
        if cache:
            return cache
        generation = self._generation()
        joined = {name: [] for name in COLUMNS}
        for reader, offset in searcher.reader().leaf_readers():
            key = (generation, reader.segment().segment_id())
            with self._index_lock:
                values = self._segment_columns.get(key)
            if values is None:
                values = {
                    name: list(reader.column_reader(name, translate=False)) for name in COLUMNS
                }
                with self._index_lock:
                    if len(self._segment_columns) >= SEGMENT_CACHE_SIZE:
                        self._segment_columns.clear()
                    self._segment_columns[key] = values
            for name in COLUMNS:
                if len(joined[name]) != offset:
                    raise RuntimeError("segment offsets are not contiguous")
                joined[name].extend(values[name])
        cache.update(joined)
        return cache

    def _facet_counts(self, searcher, matched: set[int], query: EngineQuery) -> dict:
        columns = self._columns(searcher)
        facets = {}
        for name, fieldname in FACET_FIELDS.items():
            counts = Counter(map(columns[fieldname].__getitem__, matched))
            facets[name] = {
                value.decode() if isinstance(value, bytes) else str(value): n
                for value, n in counts.items()
                if value not in (b"", "", None)
            }
        created = columns["created"]
        stamps = [created[docnum] for docnum in matched]
        now = timezone.make_naive(query.now or timezone.now(), UTC)
        facets["period"] = {}
        for key, days in PERIODS.items():
            threshold = datetime_to_long(now - timedelta(days=days))
            count = sum(1 for stamp in stamps if stamp >= threshold)
            if count:
                facets["period"][key] = count
        return facets

    def similar_words(self, word: str, limit: int = 3) -> list[str]:
        try:
            searcher = self._searcher()
            return list(searcher.corrector("body").suggest(fold(word), limit=limit, maxdist=2))
        except SearchUnavailable:
            return []

    def digests(self) -> dict[str, str]:
        searcher = self._searcher()
        return {f["key"]: f.get("digest", "") for f in searcher.all_stored_fields()}

    def size_bytes(self) -> int:
        generation = self._generation()
        if not generation:
            return 0
        return sum(p.stat().st_size for p in (self.root / generation).iterdir() if p.is_file())
