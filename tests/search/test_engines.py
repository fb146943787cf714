"""Each engine on its own: what apply() removed is gone, facets count matches, ranking."""

from datetime import timedelta

import pytest
from django.utils import timezone

from intranet.search.engines import EngineQuery, get_engine
from intranet.search.indexer import rebuild
from intranet.search.query import parse
from intranet.search.registry import Document

NOW = timezone.now()


def doc(pk, body, *, title="", group=None, minutes=0, acl=("all",)):
    return Document(
        kind="post",
        pk=pk,
        title=title,
        body=body,
        acl=acl,
        author_id=pk % 3 + 1,
        group_id=group,
        created_at=NOW - timedelta(minutes=minutes),
    ).with_digest()


def run(q, **options):
    options.setdefault("tokens", frozenset({"all"}))
    return get_engine().search(EngineQuery(clauses=parse(q).clauses, now=NOW, **options))


@pytest.fixture
def fresh(db, engine):
    rebuild()
    return get_engine()


def test_removed_and_replaced_documents_are_neither_found_nor_counted(fresh):
    fresh.apply([doc(pk, f"zqxgone numéro {pk}", group=pk % 2 + 1) for pk in range(1, 7)], [])
    fresh.apply([doc(2, "zqxother")], ["post:1"])
    result = run("zqxgone")
    assert result.total == 4
    assert {pk for _kind, pk in result.hits} == {3, 4, 5, 6}
    assert result.facets["group"] == {"1": 2, "2": 2}
    assert sum(result.facets["author"].values()) == 4
    assert run("zqxother").hits == [("post", 2)]


def test_permission_filter_and_date_order(fresh):
    fresh.apply(
        [
            doc(1, "zqxorder", minutes=30),
            doc(2, "zqxorder", minutes=10, acl=("g:9",)),
            doc(3, "zqxorder", minutes=20),
            doc(4, "zqxorder", minutes=5, acl=("g:8",)),
        ],
        [],
    )
    assert run("zqxorder", sort="date").hits == [("post", 3), ("post", 1)]
    both = run("zqxorder", sort="date", tokens=frozenset({"all", "g:9"}))
    assert both.hits == [("post", 2), ("post", 3), ("post", 1)]
    assert both.total == 3 and both.facets["period"] == {"week": 3, "month": 3, "year": 3}
    assert run("zqxorder", tokens=frozenset({"g:7"})).total == 0
    recent = run("zqxorder", since=NOW - timedelta(minutes=25))
    assert (recent.hits, recent.total) == ([("post", 3)], 1)


def test_title_and_repeated_words_rank_first(fresh):
    fresh.apply(
        [
            doc(1, "zqxrank une fois parmi beaucoup d'autres mots ici et là"),
            doc(2, "autre chose", title="zqxrank"),
            doc(3, "zqxrank zqxrank zqxrank"),
        ],
        [],
    )
    hits = [pk for _kind, pk in run("zqxrank").hits]
    assert hits[-1] == 1 and set(hits) == {1, 2, 3}


def test_whoosh_ranks_the_most_recent_matches_beyond_its_cap(db, settings, monkeypatch):
    """Past RANK_CAP matches, Whoosh ranks the most recent ones; totals stay exact."""
    from intranet.search.engines import whoosh_engine

    settings.TRANSVERSE_SEARCH_ENGINE = "whoosh"
    rebuild()
    # The oldest document is the most relevant (three occurrences, short).
    docs = [doc(pk, "zqxcap mot " * 2 + "remplissage " * 8, minutes=pk) for pk in range(1, 10)]
    get_engine().apply([*docs, doc(10, "zqxcap zqxcap zqxcap", minutes=100)], [])
    assert run("zqxcap").hits[0] == ("post", 10)
    monkeypatch.setattr(whoosh_engine, "RANK_CAP", 5)
    capped = run("zqxcap")
    assert capped.total == 10
    assert {pk for _kind, pk in capped.hits} == {1, 2, 3, 4, 5}


def test_words_of_every_batch_feed_the_suggestions(fresh):
    fresh.apply([doc(1, "zqxbudget annuel"), doc(2, "zqxbudget mensuel")], [])
    fresh.apply([doc(3, "zqxplanning zqxbudget")], [])
    assert "zqxplanning" in fresh.similar_words("zqxplaning")
    assert "zqxbudget" in fresh.similar_words("zqxbudjet")
