"""The expert finder reads what agents type: words inside skill names and synonyms,
accents, case and prefixes aside; when nothing matches, the nearest skills ("Vouliez-vous
dire…") and the way to ask the theme's ambassadors."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from intranet.experts.selectors import (
    expert_finder,
    finder_subject,
    finder_suggestions,
    subject_themes,
)
from intranet.experts.services import theme_create
from intranet.skills.models import SkillClaim
from intranet.skills.services import curation, skill_claim_add
from intranet.stream.services.posts import post_create
from intranet.topics.services import topics_get_or_create
from tests.factories import UserFactory

Level = SkillClaim.Level
QUERIES = 20  # the page's own and the layout's (session, agent, header sections)


@pytest.fixture
def numerique(staff, alice, dave):
    """The demo's "Numérique" theme on "Accessibilité numérique" (RGAA, a11y), which alice
    claims as an expert; "Marchés publics" (no theme), which dave claims."""
    a11y = curation.skill_create(staff, label="Accessibilité numérique", synonyms=["RGAA", "a11y"])
    marches = curation.skill_create(staff, label="Marchés publics", synonyms=["Commande publique"])
    skill_claim_add(alice, alice, label="RGAA", level=Level.EXPERT, accepts_requests=True)
    skill_claim_add(dave, dave, label="Marchés publics", level=Level.PRACTICE)
    theme = theme_create(
        staff,
        name="Numérique",
        skills=[a11y],
        topics=topics_get_or_create(["numerique", "accessibilite"]),
    )
    return {"theme": theme, "a11y": a11y, "marches": marches}


def usernames(actor, query):
    subject = finder_subject(actor, query)
    return [r.agent.username for r in expert_finder(actor, subject)] if subject else None


@pytest.mark.parametrize("query", ["accessibilité", "Accessibilite", "access", "numérique a"])
def test_words_of_the_skill_name_find_its_experts(numerique, carol, query):
    assert usernames(carol, query) == ["alice"]


@pytest.mark.parametrize("query", ["marchés", "marches", "MARCHES PUB", "commande"])
def test_marches_finds_public_procurement(numerique, carol, query):
    assert usernames(carol, query) == ["dave"]


def test_a_theme_named_exactly_still_means_the_theme(numerique, carol):
    subject = finder_subject(carol, "numérique")
    assert subject.theme == numerique["theme"]


def test_a_query_matching_several_skills_finds_the_experts_of_each(numerique, staff, carol):
    erin = UserFactory(username="erin")
    curation.skill_create(staff, label="Publications numériques")
    skill_claim_add(erin, erin, label="Publications numériques", level=Level.NOTIONS)
    subject = finder_subject(carol, "pub")
    assert subject.label == "Marchés publics, Publications numériques"
    results = expert_finder(carol, subject)
    assert [(r.agent.username, r.skill_labels) for r in results] == [
        ("dave", ["Marchés publics"]),
        ("erin", ["Publications numériques"]),
    ]


def test_a_matched_skill_counts_posts_on_its_synonyms_topics(numerique, alice, carol):
    post_create(alice, body="Audit #RGAA du site", visibility="organisation")
    subject = finder_subject(carol, "accessib")
    assert [t.key for t in subject.topics] == ["rgaa"]
    assert expert_finder(carol, subject)[0].evidence["posts"] == 1


def test_the_themes_to_ask_cover_the_subject(numerique, carol):
    assert subject_themes(carol, finder_subject(carol, "access")) == [numerique["theme"]]
    assert subject_themes(carol, finder_subject(carol, "marches")) == []


def test_nothing_matched_suggests_the_nearest_skills_and_their_theme(numerique, carol):
    themes = [numerique["theme"]]
    assert finder_subject(carol, "acessibilite") is None
    near = finder_suggestions(carol, "acessibilite", themes=themes)
    assert [s.label for s in near.skills] == ["Accessibilité numérique"]
    assert near.themes == themes
    near = finder_suggestions(carol, "numerik", themes=themes)  # a theme's name, misspelt
    assert near.themes == themes
    assert finder_suggestions(carol, "astrophysique", themes=themes).skills == []


def test_finder_page_answers_accessibilite(numerique, client, carol):
    client.force_login(carol)
    with translation.override("fr"):
        response = client.get(reverse("experts:expert-finder"), {"q": "accessibilité"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alice Lefèvre" in html
    assert "Aucune compétence" not in html
    assert f"{reverse('questions:question-ask')}?theme=numerique" in html


def test_finder_page_suggests_and_offers_to_ask(numerique, client, carol):
    client.force_login(carol)
    response = client.get(reverse("experts:expert-finder"), {"q": "acessibilite", "level": "2"})
    assert response.status_code == 200
    assert response.context["subject"] is None
    assert response.context["suggestions"] == [
        ("Accessibilité numérique", "q=Accessibilit%C3%A9+num%C3%A9rique&level=2")
    ]
    html = response.content.decode()
    assert 'href="?q=Accessibilit%C3%A9+num%C3%A9rique&amp;level=2"' in html
    assert f"{reverse('questions:question-ask')}?theme=numerique" in html


def test_finder_page_without_any_near_theme_links_to_the_ask_form(numerique, client, carol):
    client.force_login(carol)
    response = client.get(reverse("experts:expert-finder"), {"q": "astrophysique"})
    assert response.context["suggestions"] == [] and response.context["ask_themes"] == []
    assert f'href="{reverse("questions:question-ask")}"' in response.content.decode()


@pytest.mark.parametrize(
    "query", ["<script>alert(1)</script>", "%", "_", "' OR 1=1 --", "\x00", "ac\x00cess", "é" * 80]
)
def test_hostile_queries_answer_a_page_and_never_markup(numerique, staff, client, carol, query):
    curation.skill_create(staff, label="<img src=x onerror=alert(1)> accès")
    client.force_login(carol)
    response = client.get(reverse("experts:expert-finder"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html


def test_a_suggested_label_is_escaped(numerique, staff, client, carol):
    hostile = curation.skill_create(staff, label="<img src=x onerror=alert(1)> accès")
    skill_claim_add(carol, carol, label=hostile.label)
    client.force_login(carol)
    response = client.get(
        reverse("experts:expert-finder"), {"q": "<img src=x onerror=alert(1)> acxes"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["subject"] is None and response.context["suggestions"]
    assert "&lt;img src=x onerror=alert(1)&gt; accès" in html
    assert "<img src=x" not in html


def test_finder_page_queries_do_not_grow_with_skills_or_experts(numerique, staff, client, carol):
    """The page costs the same queries for 2 or 20 matching skills and their experts."""

    def counts():
        with CaptureQueriesContext(connection) as found:
            assert client.get(reverse("experts:expert-finder"), {"q": "acc"}).status_code == 200
        with CaptureQueriesContext(connection) as near:
            response = client.get(reverse("experts:expert-finder"), {"q": "acessibilite"})
            assert response.context["suggestions"]
        return len(found), len(near)

    def add_expert(n):
        agent = UserFactory(username=f"a11y{n}")
        skill_claim_add(agent, agent, label="a11y", level=1 + n % 3)
        other = curation.skill_create(staff, label=f"Accès {n}")
        skill_claim_add(agent, agent, label=other.label)

    add_expert(0)
    client.force_login(carol)
    client.get(reverse("experts:expert-finder"))  # content types and the like, cached once
    before = counts()
    for n in range(1, 20):
        add_expert(n)
    after = counts()
    assert after == before
    assert max(after) <= QUERIES
