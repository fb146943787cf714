"""Searching as an agent: the permission-filtered query, the re-check, facets, suggestions.

The engine query carries the agent's access tokens (read from the database now) and leaves
out documents with pending queue entries (deleted or changed but not re-indexed yet). Every
hit is then re-checked with the owning app's visible_* before anything is shown, and
snippets are cut from the database text of re-checked objects only. A "did you mean"
suggestion is offered only if it leads to at least one visible result.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intranet.accounts.access import is_active_agent, visible_agents
from intranet.accounts.models import User
from intranet.core.text import fold
from intranet.departments.models import Department
from intranet.search.analysis import analyze, highlight
from intranet.search.engines import PERIODS, EngineQuery, SearchUnavailable, get_engine
from intranet.search.models import IndexEntry
from intranet.search.query import ParsedQuery, parse
from intranet.search.registry import actor_tokens, document_type, document_types, open_kinds

logger = logging.getLogger(__name__)
PAGE_SIZE = 20
MAX_PAGES = 50
MAX_PENDING_EXCLUDED = 5000
FACET_LIMIT = 10
KIND_NAMES = {
    "agent": "agent",
    "agents": "agent",
    "personne": "agent",
    "personnes": "agent",
    "groupe": "group",
    "groupes": "group",
    "group": "group",
    "groups": "group",
    "publication": "post",
    "publications": "post",
    "post": "post",
    "posts": "post",
    "message": "post",
    "messages": "post",
    "commentaire": "comment",
    "commentaires": "comment",
    "comment": "comment",
    "comments": "comment",
    "discussion": "chat",
    "discussions": "chat",
    "chat": "chat",
    "tchat": "chat",
    "question": "question",
    "questions": "question",
    "reponse": "answer",
    "reponses": "answer",
    "answer": "answer",
    "answers": "answer",
    "document": "document",
    "documents": "document",
    "fichier": "document",
    "fichiers": "document",
}
PERIOD_LABELS = {"week": _("Past week"), "month": _("Past month"), "year": _("Past year")}
FACET_TITLES = {
    "kind": _("Type"),
    "department": _("Department"),
    "group": _("Group"),
    "author": _("Author"),
    "period": _("Date"),
}
SORTS = {"relevance": _("Relevance"), "date": _("Most recent first")}


@dataclass
class SearchHit:
    kind: str
    kind_label: str
    obj: object
    title: str
    url: str | None
    meta: str
    snippet: str
    created_at: object = None


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchPage:
    """Just what templates/_pagination.html reads."""

    number: int
    num_pages: int

    @property
    def paginator(self):
        return self

    def has_other_pages(self):
        return self.num_pages > 1

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number < self.num_pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


@dataclass
class SearchOutcome:
    query: ParsedQuery
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    total_capped: bool = False  # more matches than `total` (the engine stopped counting)
    searched_since: object = None  # only items from this date were searched (common phrase)
    page: SearchPage = field(default_factory=lambda: SearchPage(1, 1))
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str = ""
    unavailable: bool = False
    searched: bool = False


@dataclass
class Filters:
    kind: str = ""
    department: int | None = None
    group: int | None = None
    author: int | None = None
    period: str = ""
    sort: str = "relevance"
    page: int = 1


def pending_keys() -> frozenset[str]:
    """Documents changed since the indexer last ran: left out until it has applied them."""
    rows = IndexEntry.objects.filter(done_at__isnull=True).order_by("-id")
    keys = frozenset(
        f"{k}:{pk}" for k, pk in rows.values_list("kind", "object_id")[:MAX_PENDING_EXCLUDED]
    )
    if len(keys) >= MAX_PENDING_EXCLUDED:
        logger.warning("search indexer is behind: more than %d pending entries", len(keys))
    return keys


def _field_ids(actor, parsed: ParsedQuery) -> dict[str, list]:
    """Resolve auteur:, groupe: and type: among what actor may see. [-1] matches nothing."""
    resolved = {}
    for value in parsed.filters.get("auteur", []):
        agents = User.objects.filter(is_active=True) if actor.is_staff else visible_agents(actor)
        match = Q(username__iexact=value)
        terms = fold(value).split()
        if terms:
            match |= Q(*[Q(sort_name__contains=t) for t in terms])
        ids = list(agents.filter(match).values_list("pk", flat=True)[:50])
        resolved.setdefault("author_ids", []).extend(ids or [-1])
    for value in parsed.filters.get("groupe", []):
        match = Q(slug=value.lower()) | Q(*[Q(name_key__contains=t) for t in fold(value).split()])
        ids = list(_visible_groups(actor).filter(match).values_list("pk", flat=True)[:50])
        resolved.setdefault("group_ids", []).extend(ids or [-1])
    for value in parsed.filters.get("type", []):
        kind = KIND_NAMES.get(fold(value), fold(value))
        resolved.setdefault("kinds", []).append(kind if kind in document_types() else "-")
    return resolved


def _engine_query(actor, parsed: ParsedQuery, filters: Filters, **extra) -> EngineQuery:
    ids = _field_ids(actor, parsed)
    query = EngineQuery(
        clauses=parsed.clauses,
        tokens=actor_tokens(actor),
        open_kinds=open_kinds(actor),
        kinds=ids.get("kinds", []),
        author_ids=ids.get("author_ids", []),
        group_ids=ids.get("group_ids", []),
        exclude_keys=pending_keys(),
        sort="date" if filters.sort == "date" else "relevance",
        now=timezone.now(),
        **extra,
    )
    # A facet the person clicked narrows further (intersected with field filters).
    for name, value in (
        ("kinds", filters.kind or None),
        ("author_ids", filters.author),
        ("group_ids", filters.group),
        ("department_ids", filters.department),
    ):
        if value is not None:
            current = getattr(query, name)
            nothing = "-" if name == "kinds" else -1
            setattr(query, name, [value] if not current or value in current else [nothing])
    if filters.period in PERIODS:
        query.since = query.now - timedelta(days=PERIODS[filters.period])
    return query


def recheck(actor, hits: list[tuple[str, int]]) -> dict[tuple[str, int], object]:
    """The objects among hits that actor may see now, by the access model."""
    by_kind: dict[str, list[int]] = {}
    for kind, pk in hits:
        by_kind.setdefault(kind, []).append(pk)
    visible = {}
    for kind, pks in by_kind.items():
        doc_type = document_type(kind)
        if doc_type is None:
            continue
        for obj in doc_type.visible(actor).filter(pk__in=pks):
            visible[(kind, obj.pk)] = obj
    return visible


def _hit(kind: str, obj, parsed: ParsedQuery) -> SearchHit:
    """A result as shown: plain text (Markdown stripped) with the matched words in <mark>,
    everything else escaped (intranet.search.analysis.highlight)."""
    doc_type = document_type(kind)
    stems, prefixes = parsed.highlight_terms()
    return SearchHit(
        kind=kind,
        kind_label=str(doc_type.label),
        obj=obj,
        title=highlight(doc_type.result_title(obj), stems, prefixes, length=None),
        url=doc_type.url(obj),
        meta=doc_type.result_meta(obj),
        snippet=doc_type.result_snippet(obj, stems, prefixes),
        created_at=getattr(obj, "created_at", None),
    )


def search(actor, q: str, filters: Filters | None = None) -> SearchOutcome:
    filters = filters or Filters()
    parsed = parse(q)
    outcome = SearchOutcome(query=parsed)
    if not is_active_agent(actor) or (parsed.is_empty and not filters.kind):
        return outcome
    outcome.searched = True
    number = max(1, min(filters.page, MAX_PAGES))
    query = _engine_query(actor, parsed, filters, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    try:
        result = get_engine().search(query)
    except SearchUnavailable:
        outcome.unavailable = True
        return outcome
    visible = recheck(actor, result.hits)
    outcome.hits = [
        _hit(kind, visible[(kind, pk)], parsed) for kind, pk in result.hits if (kind, pk) in visible
    ]
    outcome.total = max(len(outcome.hits), result.total - (len(result.hits) - len(outcome.hits)))
    outcome.total_capped = result.total_is_lower_bound
    outcome.searched_since = result.searched_since
    pages = min(MAX_PAGES, max(1, -(-outcome.total // PAGE_SIZE)))
    outcome.page = SearchPage(min(number, pages), pages)
    outcome.facets = facet_values(actor, result.facets, filters)
    if outcome.total < 3:
        outcome.suggestion = suggestion(actor, parsed, filters)
    return outcome


def facet_values(actor, counts: dict, filters: Filters) -> dict[str, list[FacetValue]]:
    def top(name):
        items = sorted(counts.get(name, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        return items[:FACET_LIMIT]

    facets = {}
    types = document_types()
    facets["kind"] = [
        FacetValue(k, str(types[k].label), n, k == filters.kind)
        for k, n in top("kind")
        if k in types
    ]
    labels = {
        "department": dict(
            Department.objects.filter(pk__in=_ints(top("department"))).values_list("pk", "name")
        ),
        "group": dict(
            _visible_groups(actor).filter(pk__in=_ints(top("group"))).values_list("pk", "name")
        ),
        "author": {a.pk: a.display_name for a in User.objects.filter(pk__in=_ints(top("author")))},
    }
    for name, names in labels.items():
        selected = getattr(filters, name)
        facets[name] = [
            FacetValue(k, names[int(k)], n, int(k) == selected)
            for k, n in top(name)
            if k.lstrip("-").isdigit() and int(k) in names
        ]
    facets["period"] = [
        FacetValue(
            k, str(PERIOD_LABELS[k]), counts.get("period", {}).get(k, 0), k == filters.period
        )
        for k in PERIODS
        if counts.get("period", {}).get(k)
    ]
    return facets


def _visible_groups(actor):
    """Groups actor may see, from the access rule the groups app registered with its
    document type (search stands below groups and does not import it)."""
    return document_type("group").visible(actor)


def _ints(items) -> list[int]:
    return [int(k) for k, _n in items if str(k).lstrip("-").isdigit()]


def suggestion(actor, parsed: ParsedQuery, filters: Filters) -> str:
    """A corrected query that finds at least one visible item, or ""."""
    engine = get_engine()
    tried = 0
    for index, clause in enumerate(parsed.clauses):
        if clause.negated or clause.phrase or clause.prefix or tried >= 3:
            continue
        tried += 1
        for word in engine.similar_words(clause.text):
            if analyze(word) == analyze(clause.text):
                continue
            text = parsed.with_clause_text(index, word)
            query = _engine_query(actor, parse(text), filters, limit=5, facets=False)
            try:
                hits = engine.search(query).hits
            except SearchUnavailable:
                return ""
            if recheck(actor, hits):
                return text
    return ""


def suggestions(actor, q: str, *, limit: int = 5) -> list[dict]:
    """Search-as-you-type: agents and groups whose names start like q, from the database."""
    terms = fold(q[:100]).split()[:4]
    if not is_active_agent(actor) or not terms or len(" ".join(terms)) < 2:
        return []
    agents = visible_agents(actor).select_related("department")
    for term in terms:
        agents = agents.filter(sort_name__contains=term)
    groups = _visible_groups(actor)
    for term in terms:
        groups = groups.filter(name_key__contains=term)
    people_type, group_type = document_type("agent"), document_type("group")
    results = [
        {
            "kind": "agent",
            "label": a.display_name,
            "detail": people_type.result_meta(a),
            "url": people_type.url(a),
        }
        for a in agents.order_by("sort_name", "pk")[:limit]
    ]
    results += [
        {
            "kind": "group",
            "label": g.name,
            "detail": str(group_type.label),
            "url": group_type.url(g),
        }
        for g in groups.order_by("name_key", "pk")[:limit]
    ]
    return results


def search_index_health() -> str:
    """For /healthz: "ok", "missing", "corrupt", or "error" when the engine cannot start."""
    try:
        engine = get_engine()
    except Exception:  # a misconfigured engine: said here, the pages say "unavailable"
        logger.warning("the search engine cannot start", exc_info=True)
        return "error"
    return engine.health()
