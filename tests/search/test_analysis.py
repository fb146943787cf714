"""French first: accents, case, stemming, elisions, stop words; English stays findable."""

import pytest

from intranet.search.analysis import analyze, highlight
from intranet.search.selectors import search
from intranet.stream.services import posts
from tests.factories import UserFactory
from tests.search.conftest import index_now

TEXT = (
    "Réunion de l'équipe budgétaire : les agents préparent les marchés publics. "
    "The weekly meetings are held on Mondays."
)


@pytest.fixture
def post(db, engine):
    author = UserFactory(username="redactrice")
    post = posts.post_create(author, body=TEXT, visibility="organisation")
    index_now()
    return post, author


@pytest.mark.parametrize(
    "q",
    [
        "reunion",  # no accent finds the accented word
        "RÉUNION",  # case
        "réunions",  # plural (stemming)
        "Reunions",
        "l'agent",  # elision, singular
        "agent",
        "equipe",
        "budgétaires",
        "marché public",  # several words: all of them
        "meeting",  # English content stays findable
        "Monday",
        "budg*",  # prefix
        "reun*",
        '"équipe budgétaire"',  # phrase
        '"equipe budgetaire"',
        "réunion -vacances",  # exclusion of an absent word
        "réunion de la",  # stop words do not get in the way
    ],
)
def test_french_queries_find_the_post(post, q):
    obj, author = post
    outcome = search(author, q)
    assert [(hit.kind, hit.obj.pk) for hit in outcome.hits] == [("post", obj.pk)], q


@pytest.mark.parametrize(
    "q",
    [
        "réunion -budgétaire",  # excluded word present
        '"budgétaire équipe"',  # words present, not in that order
        "réunion vacances",  # all words required
        "marchand",  # a different stem
    ],
)
def test_french_queries_that_must_not_match(post, q):
    _obj, author = post
    assert search(author, q).hits == [], q


def test_a_query_of_stop_words_only_is_not_run(post):
    _obj, author = post
    outcome = search(author, "le la de")
    assert outcome.searched is False and outcome.hits == []


def test_analyzer_folds_accents_before_stemming():
    assert analyze("Réunions") == analyze("reunion") == analyze("RÉUNION")
    assert analyze("l'agent") == analyze("agents") == ["agent"]
    assert analyze("le la les de") == []


def test_snippets_escape_everything_then_mark_matches():
    text = "<script>alert('réunion')</script> & la Réunion <b>du</b> lundi"
    html = str(highlight(text, frozenset(analyze("reunion"))))
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html
    assert html.count("<mark>") == 2
    assert "<mark>Réunion</mark>" in html
