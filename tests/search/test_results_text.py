"""Results show plain text with the matched words marked, on every engine: Markdown goes
(through the one renderer's parser), index internals (synonyms) never show, and a hostile
post can neither run nor break the page."""

import pytest
from django.urls import reverse

from intranet.core.markdown import markdown_text
from intranet.experts.services import theme_create
from intranet.questions.models import Question
from intranet.search.analysis import highlight
from intranet.search.registry import markdown_excerpt
from intranet.search.selectors import search
from intranet.search.services import search_index_later
from intranet.skills.services import agent_skills_set, curation
from intranet.stream.services import comments, posts
from tests.search.conftest import index_now

FORMATION = (
    "## Formation **accessibilité** numérique\n\n"
    "Le *12 mars*, atelier [RGAA](https://intranet.example/rgaa) pour les agents :\n\n"
    "- audits\n- `contrastes`\n"
)
HOSTILE = (
    "<script>alert('x')</script> zqxhostile [clic](javascript:alert(1)) "
    '<img src=x onerror="alert(2)"> **</mark><b>gras</b>** `<mark>` &lt;i&gt;'
)


def only_hit(actor, q):
    (hit,) = search(actor, q).hits
    return hit


def test_a_markdown_post_shows_as_plain_text_with_marks(db, engine, alice):
    posts.post_create(alice, body=FORMATION, visibility="organisation")
    index_now()
    hit = only_hit(alice, "accessibilite")
    assert hit.title == (
        "Formation <mark>accessibilité</mark> numérique Le 12 mars, atelier RGAA pour les agents :…"
    )
    assert hit.snippet == (
        "Formation <mark>accessibilité</mark> numérique Le 12 mars, atelier RGAA pour les"
        " agents : audits contrastes"
    )


def test_a_comment_and_prefix_search_show_plain_text(db, engine, alice):
    post = posts.post_create(alice, body="Sujet", visibility="organisation")
    comments.comment_create(alice, post.pk, body="> cité\n\n**Contrastes** vérifiés")
    index_now()
    hit = only_hit(alice, "contra*")
    assert (hit.kind, hit.title) == ("comment", "cité <mark>Contrastes</mark> vérifiés")
    assert "**" not in hit.snippet and ">" not in hit.snippet.replace("<mark>", "").replace(
        "</mark>", ""
    )


def test_questions_and_answers_show_plain_text(db, engine, alice, staff):
    theme = theme_create(staff, name="Numérique")
    question = Question.objects.create(
        author=alice, theme=theme, title="Audit zqxaudit ?", body="## Quel **zqxaudit** choisir"
    )
    search_index_later(question)
    index_now()
    hit = only_hit(alice, "zqxaudit")
    assert hit.title == "Audit <mark>zqxaudit</mark> ?"
    assert hit.snippet == "Quel <mark>zqxaudit</mark> choisir"


def test_an_agent_found_by_a_synonym_shows_the_declared_skill_only(db, engine, alice, carol, staff):
    curation.skill_create(staff, label="Accessibilité numérique", synonyms=["RGAA", "a11y"])
    agent_skills_set(carol, carol, labels=["a11y"])
    index_now()
    hit = only_hit(alice, "a11y")
    assert hit.title == "Carol N&#x27;Diaye" and hit.kind == "agent"
    assert "a11y" not in hit.snippet and "RGAA" not in hit.snippet
    assert "Accessibilité numérique" in hit.snippet
    hit = only_hit(alice, "accessibilite")
    assert "<mark>Accessibilité</mark> numérique" in hit.snippet
    assert "carol" not in hit.title  # the login the document carries is not a title


def test_a_hostile_post_never_runs_nor_breaks_the_page(db, engine, alice, alice_client):
    posts.post_create(alice, body=HOSTILE, visibility="organisation")
    index_now()
    response = alice_client.get(reverse("search:search-results"), {"q": "zqxhostile gras"})
    html = response.content.decode()
    assert response.status_code == 200
    main = html[html.index('class="search-hits"') :]
    assert "<script>alert" not in main and "<img" not in main and "<b>" not in main
    assert 'href="javascript' not in main
    # zqxhostile in the title and the snippet, gras in the snippet (past the title's cut).
    assert main.count("<mark>") == main.count("</mark>") == 3
    assert "&lt;script&gt;" in main and "&lt;/mark&gt;&lt;b&gt;" in main
    assert "&lt;i&gt;" in main  # an entity typed stays what it showed: text


def test_the_query_itself_is_never_markup(db, engine, alice, alice_client):
    posts.post_create(alice, body="Note zqxmark", visibility="organisation")
    index_now()
    response = alice_client.get(
        reverse("search:search-results"), {"q": "<mark>zqxmark</mark> <script>"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>" not in html.split("</title>", 1)[1].split("search.js")[0]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("## Titre **gras** et *italique*", "Titre gras et italique"),
        ("[lien](https://x.fr) ![logo](x.png)", "lien logo"),
        ("[clic](javascript:alert(1))", "[clic](javascript:alert(1))"),
        ("<script>x</script>", "<script>x</script>"),
        ("- un\n- deux\n\n```\nbloc <b>\n```", "un deux bloc <b>"),
        ("a &amp; b", "a & b"),
        ("", ""),
    ],
)
def test_markdown_text_keeps_what_a_reader_reads(source, text):
    assert markdown_text(source) == text


def test_an_excerpt_cuts_after_the_markup_is_gone():
    assert markdown_excerpt("**Formation** " + "mot " * 40, length=20) == "Formation mot mot…"


def test_highlight_of_a_whole_title_escapes_everything_but_its_marks():
    marked = highlight("<b>Réunion</b> & budget", frozenset(), ("reunion",), length=None)
    assert marked == "&lt;b&gt;<mark>Réunion</mark>&lt;/b&gt; &amp; budget"
