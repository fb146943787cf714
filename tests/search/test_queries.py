"""Malformed queries: a friendly message or best-effort results, never an error."""

import pytest
from django.urls import reverse

from intranet.search.query import MAX_CLAUSES, MAX_QUERY_CHARS, parse
from intranet.stream.services import posts
from tests.search.conftest import index_now

MALFORMED = [
    '"réunion budgétaire',  # unbalanced quote
    '"',
    '""',
    "-",
    "*",
    "-*",
    "AND",
    "OR OR",
    "auteur:",
    "groupe:",
    "type:",
    "type:inconnu",
    "auteur:personne réunion",
    ":::",
    "((réunion",
    "réunion)",
    "réu*nion",
    "\x00réunion",
    "%",
    "'",
    "l'",
    "🙂",
    "a" * 10_000,
    "réunion " * 2_000,
    '"' * 5_001,
    "-réunion",
    "*réunion",
    "\\",
    'réunion\\"',
]


@pytest.fixture
def indexed(db, alice, engine):
    posts.post_create(alice, body="Réunion budgétaire du lundi", visibility="organisation")
    index_now()


@pytest.mark.parametrize("q", MALFORMED)
def test_malformed_queries_give_a_page_never_an_error(indexed, alice_client, q):
    response = alice_client.get(reverse("search:search-results"), {"q": q})
    assert response.status_code == 200


def test_unbalanced_quote_runs_to_the_end_and_says_so(indexed, alice_client):
    response = alice_client.get(reverse("search:search-results"), {"q": '"réunion budgétaire'})
    assert response.context["outcome"].total == 1
    assert "guillemet" in response.content.decode() or "quotation" in response.content.decode()


def test_very_long_query_is_cut_and_said_so(indexed, alice_client):
    response = alice_client.get(reverse("search:search-results"), {"q": "réunion " * 2_000})
    outcome = response.context["outcome"]
    assert outcome.total == 1
    assert outcome.query.notes


def test_invalid_facet_values_are_ignored(indexed, alice_client):
    params = {
        "q": "réunion",
        "page": "abc",
        "group": "x",
        "author": "-3",
        "kind": "nothing",
        "sort": "<script>",
        "period": "forever",
    }
    response = alice_client.get(reverse("search:search-results"), params)
    assert response.status_code == 200
    assert response.context["outcome"].total == 1


def test_parser_bounds_and_syntax():
    query = parse('budget* -brouillon "compte rendu" auteur:"Alice Lefèvre" type:groupe x')
    assert [(c.text, c.prefix, c.negated, c.phrase) for c in query.clauses] == [
        ("budget", True, False, False),
        ("brouillon", False, True, False),
        ("compte rendu", False, False, True),
        ("x", False, False, False),
    ]
    assert query.filters == {"auteur": ["Alice Lefèvre"], "type": ["groupe"]}
    assert len(parse("mot " * 100).clauses) == MAX_CLAUSES
    assert len(parse("a" * 10_000).raw) == MAX_QUERY_CHARS
    assert parse("- * -* **").clauses == []


@pytest.fixture
def fresh_postgres_engine(settings):
    """The PostgreSQL engine with an empty index (skipped unless the suite runs on it)."""
    from django.db import connection

    from intranet.search.engines import get_engine
    from intranet.search.indexer import rebuild

    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL engine runs when the suite runs on PostgreSQL")
    settings.TRANSVERSE_SEARCH_ENGINE = "postgres"
    engine = get_engine()
    rebuild(engine)
    return engine


@pytest.mark.django_db
def test_postgres_counts_exactly_up_to_the_cap_then_says_more(fresh_postgres_engine, monkeypatch):
    """Past MATCH_CAP matches the total is a lower bound and facets count the newest ones."""
    from django.utils import timezone

    from intranet.search.engines import EngineQuery, postgres_engine
    from intranet.search.registry import Document

    engine = fresh_postgres_engine
    now = timezone.now()
    docs = [
        Document(
            kind="post",
            pk=pk,
            title="",
            body=f"zqxcap {pk}",
            acl=("all",),
            author_id=pk % 2,
            created_at=now - timezone.timedelta(minutes=pk),
        ).with_digest()
        for pk in range(1, 16)
    ]
    engine.apply(docs, [])
    query = parse("zqxcap")
    exact = engine.search(EngineQuery(clauses=query.clauses, tokens=frozenset({"all"})))
    assert (exact.total, exact.total_is_lower_bound) == (15, False)
    monkeypatch.setattr(postgres_engine, "MATCH_CAP", 10)
    capped = engine.search(EngineQuery(clauses=query.clauses, tokens=frozenset({"all"})))
    assert (capped.total, capped.total_is_lower_bound) == (10, True)
    assert sum(capped.facets["author"].values()) == 10
    newest = engine.search(EngineQuery(clauses=query.clauses, tokens=None, sort="date", limit=3))
    assert newest.hits == [("post", 1), ("post", 2), ("post", 3)]


@pytest.mark.django_db
def test_postgres_phrase_of_common_words_searches_recent_weeks_and_says_so(
    fresh_postgres_engine, monkeypatch
):
    """Words in many rows: a word still finds everything, a phrase says from when it looked."""
    from django.db import connection
    from django.utils import timezone

    from intranet.search.engines import EngineQuery, postgres_engine
    from intranet.search.registry import Document

    engine = fresh_postgres_engine
    now = timezone.now()
    docs = [
        Document(
            kind="post",
            pk=pk,
            title="",
            body="zqxwin zqxphrase",
            acl=("all",),
            created_at=now - timezone.timedelta(weeks=pk),
        ).with_digest()
        for pk in range(1, 41)
    ]
    engine.apply(docs, [])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_document")
    monkeypatch.setattr(postgres_engine, "WINDOW_CANDIDATES", 4)
    tokens = frozenset({"all"})
    word = engine.search(EngineQuery(clauses=parse("zqxwin").clauses, tokens=tokens))
    assert (word.total, word.searched_since) == (40, None)
    phrase = engine.search(EngineQuery(clauses=parse('"zqxwin zqxphrase"').clauses, tokens=tokens))
    assert phrase.searched_since is not None
    assert 0 < phrase.total < 40
    assert {pk for _kind, pk in phrase.hits} == {
        doc.pk for doc in docs if doc.created_at >= phrase.searched_since
    }
