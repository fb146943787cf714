"""The fast single-node engine: a Tantivy index (the `tantivy` package) in a folder.

Same layout and rules as the Whoosh engine: TRANSVERSE_SEARCH_INDEX_DIR/CURRENT names the
live generation folder; a rebuild fills a new one beside it and swaps CURRENT atomically;
only the holder of indexer.lock writes (Tantivy's own writer lock is then never contended).

French analysis runs inside Tantivy with the same chain as analysis.py: words, lower case,
accents folded, our stop word list (elided articles included), then the Snowball French
stemmer. Query words go through that same analyzer, so indexing and querying always agree.
A `spell` field keeps folded, unstemmed words for "did you mean" candidates.
"""

import logging
import re
import shutil
import threading
from datetime import UTC, timedelta
from pathlib import Path

import tantivy
from django.utils import timezone

from intranet.core.text import fold
from intranet.search.analysis import STOP_WORDS, words
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
FACET_SIZE = 100  # values per facet returned to the selector (it shows the top ten it may name)
NUMERIC_FACETS = {"author": "author", "group": "group", "department": "department"}
TITLE_BOOST = 2.0
BULK_HEAP = 256_000_000
BATCH_HEAP = 20_000_000
SPELL_CANDIDATES = 5000


def _analyzer(stem: bool):
    builder = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )
    if stem:
        builder = builder.filter(tantivy.Filter.custom_stopword(sorted(STOP_WORDS)))
        builder = builder.filter(tantivy.Filter.stemmer("french"))
    return builder.build()


FRENCH = _analyzer(stem=True)
SPELL = _analyzer(stem=False)


def schema():
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("kind", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("acl", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", tokenizer_name="fr", index_option="position")
    builder.add_text_field("body", tokenizer_name="fr", index_option="position")
    builder.add_text_field("spell", tokenizer_name="spell", index_option="basic")
    for name in NUMERIC_FACETS.values():
        builder.add_unsigned_field(name, indexed=True, fast=True)
    builder.add_date_field("created", indexed=True, fast=True)
    builder.add_text_field("digest", stored=True, tokenizer_name="raw", index_option="basic")
    return builder.build()


def _document(doc: Document):
    fields = {"key": doc.key, "kind": doc.kind, "title": doc.title or "", "digest": doc.digest}
    # NUL characters are nothing a person searches for; the body keeps everything else.
    body = (doc.body or "").replace("\x00", " ")
    tdoc = tantivy.Document(**fields, body=body, spell=f"{fields['title']} {body}")
    for token in doc.acl:
        tdoc.add_text("acl", token)
    for name, value in (
        ("author", doc.author_id),
        ("group", doc.group_id),
        ("department", doc.department_id),
    ):
        if value is not None and value >= 0:
            tdoc.add_unsigned(name, value)
    if doc.created_at is not None:
        tdoc.add_date("created", timezone.make_naive(doc.created_at, UTC))
    return tdoc


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopped early past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


class TantivyEngine(Generations, SearchEngine):
    name = "tantivy"

    def __init__(self, place: str):
        self._init_generations(place)
        self._open_lock = threading.Lock()
        self._schema = schema()
        self._index = None  # (generation, tantivy.Index, meta.json stamp)

    # --- the live generation ---
    def _make_index(self, path: Path, *, create: bool):
        if not create and not tantivy.Index.exists(str(path)):
            raise SearchUnavailable(f"no search index in {path}")
        index = tantivy.Index(self._schema, path=str(path), reuse=not create)
        index.register_tokenizer("fr", FRENCH)
        index.register_tokenizer("spell", SPELL)
        return index

    def exists(self) -> bool:
        generation = self._generation()
        return bool(generation) and tantivy.Index.exists(str(self.root / generation))

    def verify(self) -> None:
        index = self._make_index(self.root / self._generation(), create=False)
        index.reload()
        _ = index.searcher().num_docs

    @staticmethod
    def _stamp(path: Path):
        stat = (path / "meta.json").stat()
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def _live_index(self):
        """The live generation's index, reloaded only when a commit changed meta.json."""
        generation = self._generation()
        if generation is None or not (self.root / generation).is_dir():
            raise SearchUnavailable(f"no search index in {self.root}")
        path = self.root / generation
        try:
            with self._open_lock:
                stamp = self._stamp(path)
                if self._index is None or self._index[0] != generation:
                    self._index = (generation, self._make_index(path, create=False), stamp)
                elif self._index[2] != stamp:
                    self._index[1].reload()
                    self._index = (generation, self._index[1], stamp)
                return self._index[1]
        except SearchUnavailable:
            raise
        except Exception as exc:
            self._index = None
            logger.exception("search index %s cannot be opened", path)
            raise SearchUnavailable(str(exc)) from exc

    # --- writing (the indexer only) ---
    def apply(self, documents: list[Document], removed_keys: list[str]) -> None:
        if not self.exists():
            raise SearchUnavailable(f"no search index in {self.root}")
        self._write(self._live_index(), documents, removed_keys)

    @staticmethod
    def _write(index, documents, removed_keys, heap: int = BATCH_HEAP) -> None:
        writer = index.writer(heap, 1)
        try:
            for key in [*removed_keys, *(d.key for d in documents)]:
                writer.delete_documents_by_term("key", key)
            for doc in documents:
                writer.add_document(_document(doc))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()  # also drops the writer and Tantivy's lock
        index.reload()

    def rebuild(self, documents, *, catch_up) -> int:
        generation, path = self._new_generation()
        index = self._make_index(path, create=True)
        writer = index.writer(BULK_HEAP, 1)
        count = 0
        try:
            for doc in documents:
                writer.add_document(_document(doc))
                count += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            shutil.rmtree(path, ignore_errors=True)
            raise
        index.reload()
        self._go_live(
            generation, path, catch_up, lambda docs, removed: self._write(index, docs, removed)
        )
        return count

    # --- reading ---
    def search(self, query: EngineQuery) -> EngineResult:
        index = self._live_index()
        text_query = self._text_query(query)
        if text_query is None:
            return EngineResult(hits=[], total=0)
        full = self._filtered(text_query, query)
        window = min(query.offset + query.limit, MAX_RESULTS_WINDOW)
        options = {"limit": max(window - query.offset, 1), "count": True, "offset": query.offset}
        if query.sort == "date":
            options.update(order_by_field="created", order=tantivy.Order.Desc)
        try:
            searcher = index.searcher()
            result = searcher.search(full, **options)
            hits = []
            if query.offset < window:
                for _order, address in result.hits:
                    kind, pk = searcher.doc(address)["key"][0].split(":", 1)
                    hits.append((kind, int(pk)))
            facets = self._facets(searcher, full, query) if query.facets else {}
        except Exception as exc:
            logger.exception("search failed on index %s", self.root)
            raise SearchUnavailable(str(exc)) from exc
        return EngineResult(hits=hits, total=result.count, facets=facets)

    def _terms(self, field: str, stems: list[str]):
        if len(stems) == 1:
            return tantivy.Query.term_query(self._schema, field, stems[0])
        return tantivy.Query.phrase_query(self._schema, field, stems)

    def _either_field(self, make):
        title = tantivy.Query.boost_query(make("title"), TITLE_BOOST)
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, title), (tantivy.Occur.Should, make("body"))]
        )

    def _prefix(self, text: str):
        parts = words(text)
        if not parts:
            return None
        word = parts[-1]
        stems = {word, *FRENCH.analyze(word)[:1]}
        # Only word characters reach here (words() splits on the rest): safe in a regex.
        options = [
            tantivy.Query.regex_query(self._schema, field, re.escape(stem) + ".*")
            for stem in sorted(stems)
            for field in ("title", "body")
        ]
        prefix = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in options])
        before = FRENCH.analyze(" ".join(parts[:-1]))
        if not before:
            return prefix
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, prefix),
                (tantivy.Occur.Must, self._either_field(lambda f: self._terms(f, before))),
            ]
        )

    def _clause_query(self, clause):
        if clause.prefix:
            return self._prefix(clause.text)
        stems = FRENCH.analyze(clause.text)
        if not stems:
            return None
        return self._either_field(lambda field: self._terms(field, stems))

    def _text_query(self, query: EngineQuery):
        subqueries = []
        has_positive = False
        for clause in query.clauses:
            sub = self._clause_query(clause)
            if sub is None:
                if not clause.negated:
                    return None  # only stop words: nothing can match
                continue
            has_positive = has_positive or not clause.negated
            occur = tantivy.Occur.MustNot if clause.negated else tantivy.Occur.Must
            subqueries.append((occur, sub))
        if not has_positive:
            subqueries.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(subqueries)

    def _filtered(self, text_query, query: EngineQuery):
        """The text query with the permission filter and the facet filters as non-scoring."""
        schema, parts = self._schema, [(tantivy.Occur.Must, text_query)]

        def only(q):
            parts.append((tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)))

        if query.tokens is not None:
            allowed = tantivy.Query.term_set_query(schema, "acl", sorted(query.tokens))
            if query.open_kinds:
                kinds = tantivy.Query.term_set_query(schema, "kind", sorted(query.open_kinds))
                allowed = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Should, allowed), (tantivy.Occur.Should, kinds)]
                )
            only(allowed)
        if query.kinds:
            only(tantivy.Query.term_set_query(schema, "kind", sorted(set(query.kinds))))
        for name, values in (
            ("author", query.author_ids),
            ("group", query.group_ids),
            ("department", query.department_ids),
        ):
            if values:
                valid = sorted({v for v in values if v >= 0})
                only(
                    tantivy.Query.term_set_query(schema, name, valid)
                    if valid
                    else tantivy.Query.empty_query()
                )
        if query.since is not None:
            only(self._since(query.since))
        if query.exclude_keys:
            excluded = tantivy.Query.term_set_query(schema, "key", sorted(query.exclude_keys))
            parts.append((tantivy.Occur.MustNot, excluded))
        return tantivy.Query.boolean_query(parts)

    def _since(self, moment):
        return tantivy.Query.range_query(
            self._schema,
            "created",
            tantivy.FieldType.Date,
            timezone.make_naive(moment, UTC),
            None,
        )

    def _facets(self, searcher, full, query: EngineQuery) -> dict[str, dict[str, int]]:
        spec = {"kind": {"terms": {"field": "kind", "size": FACET_SIZE}}}
        for name, field in NUMERIC_FACETS.items():
            spec[name] = {"terms": {"field": field, "size": FACET_SIZE}}
        result = searcher.aggregate(full, spec)
        facets = {}
        for name in spec:
            buckets = result.get(name, {}).get("buckets", [])
            facets[name] = {
                str(int(b["key"]) if isinstance(b["key"], float) else b["key"]): b["doc_count"]
                for b in buckets
            }
        now = query.now or timezone.now()
        facets["period"] = {}
        for name, days in PERIODS.items():
            ranged = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, full),
                    (tantivy.Occur.Must, self._since(now - timedelta(days=days))),
                ]
            )
            count = searcher.search(ranged, limit=1, count=True).count
            if count:
                facets["period"][name] = count
        return facets

    def similar_words(self, word: str, limit: int = 3) -> list[str]:
        word = fold(word)
        if len(word) < 3:
            return []
        try:
            searcher = self._live_index().searcher()
            candidates = searcher.terms_with_prefix("spell", word[0], limit=SPELL_CANDIDATES)
        except SearchUnavailable:
            return []
        except Exception:
            logger.exception("spelling candidates failed on index %s", self.root)
            return []
        scored = []
        for term, count in candidates:
            if term == word:
                continue
            distance = _distance(word, term, 2)
            if distance <= 2:
                scored.append((distance, -count, term))
        return [term for _d, _c, term in sorted(scored)[:limit]]

    def digests(self) -> dict[str, str]:
        searcher = self._live_index().searcher()
        total = searcher.num_docs
        if not total:
            return {}
        result = searcher.search(tantivy.Query.all_query(), limit=total, count=False)
        found = {}
        for _score, address in result.hits:
            fields = searcher.doc(address)
            found[fields["key"][0]] = (fields.get_first("digest") or "") if fields else ""
        return found

    def size_bytes(self) -> int:
        generation = self._generation()
        if not generation:
            return 0
        return sum(p.stat().st_size for p in (self.root / generation).iterdir() if p.is_file())
