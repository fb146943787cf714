"""The embedded engine: a Whoosh (whoosh-reloaded) index in a folder.

Layout: TRANSVERSE_SEARCH_INDEX_DIR/CURRENT names the live generation folder beside it;
a rebuild fills a new generation and swaps CURRENT atomically (os.replace), so searches
keep working during a rebuild. Only the holder of indexer.lock writes, so Whoosh's own
single-writer lock is never contended. Searchers are kept per thread and refreshed only
when the index changed.
"""

import logging
import os
import shutil
import threading
import uuid
from datetime import UTC, timedelta
from pathlib import Path

from django.utils import timezone
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import sorting
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from intranet.core.text import fold
from intranet.search.analysis import analyze, french_analyzer
from intranet.search.engines import (
    PERIODS,
    EngineQuery,
    EngineResult,
    SearchEngine,
    SearchUnavailable,
)
from intranet.search.engines.locks import FileLock
from intranet.search.registry import Document

logger = logging.getLogger(__name__)
MAX_RESULTS_WINDOW = 1000
FACET_FIELDS = {"kind": "kind", "department": "department", "group": "group", "author": "author"}


def schema() -> Schema:
    analyzer = french_analyzer()
    return Schema(
        key=ID(stored=True, unique=True),
        kind=ID(stored=True, sortable=True),
        acl=KEYWORD(scorable=False),
        title=TEXT(analyzer=analyzer, field_boost=2.0),
        body=TEXT(analyzer=analyzer, spelling=True),
        author=ID(sortable=True),
        group=ID(sortable=True),
        department=ID(sortable=True),
        created=DATETIME(sortable=True),
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


class WhooshEngine(SearchEngine):
    name = "whoosh"

    def __init__(self, place: str):
        self.root = Path(place)
        self.lock = FileLock(self.root / "indexer.lock")
        self._local = threading.local()
        self._index_lock = threading.Lock()
        self._indexes: dict[str, whoosh_index.Index] = {}

    # --- the live generation ---
    def _generation(self) -> str | None:
        try:
            name = (self.root / "CURRENT").read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

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
    def writer_lock(self, timeout: float):
        return self.lock.hold(timeout)

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
        generation = f"gen-{timezone.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
        path = self.root / generation
        path.mkdir(parents=True)
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
        with self.writer_lock(timeout=600) as locked:
            if not locked:
                shutil.rmtree(path, ignore_errors=True)
                raise RuntimeError("the indexer lock stayed taken: rebuild abandoned")
            catch_up(lambda docs, removed: self._write(ix, docs, removed))
            self._swap(generation)
        return count

    def _swap(self, generation: str) -> None:
        tmp = self.root / f"CURRENT.{uuid.uuid4().hex}"
        tmp.write_text(generation)
        os.replace(tmp, self.root / "CURRENT")
        for old in self.root.glob("gen-*"):
            if old.name != generation:
                # Open files stay readable after unlinking: searchers move on at next query.
                shutil.rmtree(old, ignore_errors=True)

    # --- reading ---
    def search(self, query: EngineQuery) -> EngineResult:
        searcher = self._searcher()
        q = self._text_query(query)
        if q is None:
            return EngineResult(hits=[], total=0)
        window = min(query.offset + query.limit, MAX_RESULTS_WINDOW)
        allowed = self._filter(searcher, query)
        if allowed is not None and not allowed:
            return EngineResult(hits=[], total=0)  # nothing the actor may see matches
        options = {"filter": allowed, "limit": max(window, 1)}
        mask = [wq.Term("key", key) for key in query.exclude_keys]
        if mask:
            options["mask"] = wq.Or(mask)
        if query.sort == "date":
            options.update(sortedby="created", reverse=True)
        if query.facets:
            options["groupedby"] = self._facets(query)
        try:
            results = searcher.search(q, **options)
            hits = [tuple(hit["key"].split(":", 1)) for hit in results[query.offset : window]]
            total = len(results)
            facets = {}
            if query.facets:
                for name in (*FACET_FIELDS, "period"):
                    facets[name] = {
                        str(k): len(v) if isinstance(v, list) else v
                        for k, v in results.groups(name).items()
                        if k is not None
                    }
        except Exception as exc:
            logger.exception("search failed on index %s", self.root)
            raise SearchUnavailable(str(exc)) from exc
        return EngineResult(hits=[(k, int(pk)) for k, pk in hits], total=total, facets=facets)

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

    @staticmethod
    def _acl_docs(searcher, tokens) -> set[int]:
        """Documents any of tokens opens, as a set: far faster than an Or of many Terms."""
        reader = searcher.reader()
        docs: set[int] = set()
        for token in tokens:
            if reader.doc_frequency("acl", token):
                docs.update(reader.postings("acl", token).all_ids())
        return docs

    def _filter(self, searcher, query: EngineQuery):
        parts = []
        if query.tokens is not None:
            parts.append(self._acl_docs(searcher, query.tokens))
        for name, values in (
            ("kind", query.kinds),
            ("author", query.author_ids),
            ("group", query.group_ids),
            ("department", query.department_ids),
        ):
            if values:
                parts.append(wq.Or([wq.Term(name, str(v)) for v in values]))
        if query.since is not None:
            since = timezone.make_naive(query.since, UTC)
            parts.append(wq.DateRange("created", since, None))
        if not parts:
            return None
        # Always a set of document numbers, so that search() can see an empty one: Whoosh
        # treats an empty filter set as "no filter" in places.
        docs = parts[0] if isinstance(parts[0], set) else set(searcher.docs_for_query(parts[0]))
        for part in parts[1:]:
            docs &= set(searcher.docs_for_query(part))
        return docs

    @staticmethod
    def _facets(query: EngineQuery):
        facets = sorting.Facets()
        for name, fieldname in FACET_FIELDS.items():
            facets.add_facet(name, sorting.FieldFacet(fieldname, maptype=sorting.Count))
        now = timezone.make_naive(query.now or timezone.now(), UTC)
        periods = {
            key: wq.DateRange("created", now - timedelta(days=days), None)
            for key, days in PERIODS.items()
        }
        facets.add_facet(
            "period", sorting.QueryFacet(periods, maptype=sorting.Count, allow_overlap=True)
        )
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
