"""Search engines behind one interface; `get_engine()` returns the configured one.

An engine stores `Document`s and answers `EngineQuery`s with ids, a total and facet counts.
It never decides visibility alone: the query carries the actor's tokens, and the selector
re-checks every hit with the access model before anything is shown.
"""

import logging
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from intranet.search.query import Clause
from intranet.search.registry import Document

logger = logging.getLogger(__name__)
FACETS = ("kind", "department", "group", "author")
PERIODS = {"week": 7, "month": 31, "year": 366}


class SearchUnavailable(Exception):
    """The index is missing or unreadable: searching says so, writing goes on queueing."""


@dataclass
class EngineQuery:
    clauses: list[Clause]
    tokens: frozenset[str] | None  # None: no permission filter (staff)
    # With tokens: kinds whose documents pass the permission filter whatever their tokens
    # (staff read every post, but only the conversations they belong to).
    open_kinds: tuple[str, ...] = ()
    kinds: list[str] = field(default_factory=list)
    author_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    department_ids: list[int] = field(default_factory=list)
    since: datetime | None = None
    exclude_keys: frozenset[str] = frozenset()
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 20
    facets: bool = True
    now: datetime | None = None  # reference for the period facet


@dataclass
class EngineResult:
    hits: list[tuple[str, int]]  # (kind, pk) in order
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # True when the engine stopped counting at `total` (PostgreSQL, very frequent terms):
    # there are more matches, and facets count the most recent `total` of them.
    total_is_lower_bound: bool = False
    # Set when the engine looked only at documents created from this date on (PostgreSQL,
    # a phrase of very common words): results, total and facets cover those documents.
    searched_since: datetime | None = None


class SearchEngine:
    name = ""

    def apply(self, documents: list[Document], removed_keys: list[str]) -> None:
        raise NotImplementedError

    def search(self, query: EngineQuery) -> EngineResult:
        raise NotImplementedError

    def similar_words(self, word: str, limit: int = 3) -> list[str]:
        """Indexed words close to word (candidates only: the selector validates them)."""
        return []

    def digests(self) -> dict[str, str]:
        """key -> digest of every indexed document (for search_check)."""
        raise NotImplementedError

    def rebuild(self, documents, *, catch_up) -> int:
        """Index documents into a fresh index beside the live one, run catch_up(), swap."""
        raise NotImplementedError

    def writer_lock(self, timeout: float) -> AbstractContextManager[bool]:
        """Held by the one indexer; yields False when another holds it after timeout."""
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError

    def verify(self) -> None:
        """Open the live index afresh and read its size; raise if it cannot be read."""

    def health(self) -> str:
        """ "ok", "missing" (no index: search_rebuild) or "corrupt" (unreadable: the same)."""
        try:
            if not self.exists():
                return "missing"
            self.verify()
        except Exception:  # whatever the engine's reader raises, the index is unusable
            logger.warning("search index %s is unreadable", self.name, exc_info=True)
            return "corrupt"
        return "ok"

    def size_bytes(self) -> int:
        return 0


_engines: dict[tuple, SearchEngine] = {}
_lock = threading.Lock()


def get_engine() -> SearchEngine:
    """The configured engine, one instance per (engine, place) and per process."""
    name = getattr(settings, "TRANSVERSE_SEARCH_ENGINE", "whoosh")
    place = str(getattr(settings, "TRANSVERSE_SEARCH_INDEX_DIR", ""))
    with _lock:
        engine = _engines.get((name, place))
        if engine is None:
            engine = _engines[(name, place)] = _make_engine(name, place)
        return engine


def _make_engine(name: str, place: str) -> SearchEngine:
    if name == "whoosh":
        from intranet.search.engines.whoosh_engine import WhooshEngine

        return WhooshEngine(place)
    if name == "postgres":
        from django.db import connection

        if connection.vendor != "postgresql":
            raise ImproperlyConfigured(
                "TRANSVERSE_SEARCH_ENGINE=postgres needs DATABASE_URL to name PostgreSQL."
            )
        from intranet.search.engines.postgres_engine import PostgresEngine

        return PostgresEngine()
    if name == "tantivy":
        try:
            from intranet.search.engines.tantivy_engine import TantivyEngine
        except ImportError as exc:
            raise ImproperlyConfigured(
                "TRANSVERSE_SEARCH_ENGINE=tantivy needs the tantivy package (pip install tantivy)."
            ) from exc
        return TantivyEngine(place)
    raise ImproperlyConfigured("TRANSVERSE_SEARCH_ENGINE must be whoosh, postgres or tantivy.")
