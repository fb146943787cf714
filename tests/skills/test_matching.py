"""Matching what an agent types against the skills' spellings (skills.selectors): words
inside labels and synonyms, accents, case and prefixes aside, and the nearest skills when
nothing matches. The expert finder and the people directory both read it."""

import pytest

from intranet.skills.selectors import skill_suggestions, skills_matching
from intranet.skills.services import curation, skill_claim_add
from tests.factories import UserFactory


@pytest.fixture
def taxonomy(staff, rgpd):
    """The demo's spellings: RGPD (GDPR, "Protection des données personnelles"),
    "Accessibilité numérique" (RGAA, a11y), "Marchés publics" ("Commande publique"),
    "Système d'information géographique" (SIG) and "RGPD avancé", each claimed once."""
    skills = {
        "rgpd": rgpd,
        "a11y": curation.skill_create(
            staff, label="Accessibilité numérique", synonyms=["RGAA", "a11y"]
        ),
        "marches": curation.skill_create(
            staff, label="Marchés publics", synonyms=["Commande publique"]
        ),
        "sig": curation.skill_create(
            staff, label="Système d'information géographique", synonyms=["SIG"]
        ),
        "rgpd+": curation.skill_create(staff, label="RGPD avancé"),
    }
    for skill in skills.values():
        agent = UserFactory()
        skill_claim_add(agent, agent, label=skill.label)
    return skills


def labels(skills):
    return [skill.label for skill in skills]


@pytest.mark.parametrize(
    "query",
    ["accessibilité", "Accessibilité", "ACCESSIBILITE", "access", "numér", "rgaa", "A11Y"],
)
def test_a_word_inside_a_label_or_synonym_finds_the_skill(taxonomy, query):
    assert labels(skills_matching(query)) == ["Accessibilité numérique"]


@pytest.mark.parametrize(
    "query", ["marchés", "marches", "Marchés publics", "march pub", "commande"]
)
def test_accents_and_prefixes_find_public_procurement(taxonomy, query):
    assert labels(skills_matching(query)) == ["Marchés publics"]


def test_every_word_must_start_a_word_of_one_spelling(taxonomy):
    assert labels(skills_matching("publics marchés")) == ["Marchés publics"]
    assert labels(skills_matching("marchés numérique")) == []
    assert labels(skills_matching("ublics")) == []  # inside a word is not the start of one


def test_words_after_an_apostrophe_or_stop_words_count(taxonomy):
    assert labels(skills_matching("information")) == ["Système d'information géographique"]
    assert labels(skills_matching("système de information")) == [
        "Système d'information géographique"
    ]


def test_an_exact_spelling_means_that_skill_only(taxonomy):
    assert labels(skills_matching("RGPD")) == ["RGPD"]
    assert labels(skills_matching("gdpr")) == ["RGPD"]
    assert labels(skills_matching("rgp")) == ["RGPD", "RGPD avancé"]
    assert labels(skills_matching("données")) == ["RGPD"]


@pytest.mark.parametrize(
    "query", ["", " ", "a", "%", "_", "%%", "' OR 1=1 --", "\x00", "<script>", "é" * 500]
)
def test_hostile_or_empty_queries_match_nothing_and_do_not_fail(taxonomy, query):
    assert list(skills_matching(query)) == []
    assert skill_suggestions(query) == []


def test_like_wildcards_are_plain_characters(staff, taxonomy):
    percent = curation.skill_create(staff, label="Taux 100% réussite")
    assert labels(skills_matching("100%")) == [percent.label]
    assert labels(skills_matching("_")) == []


def test_matching_is_one_query(taxonomy, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(skills_matching("marchés publics commande accessibilité numérique système"))


@pytest.mark.parametrize(
    ("query", "nearest"),
    [
        ("acessibilité", "Accessibilité numérique"),
        ("accesibilite numerique", "Accessibilité numérique"),
        ("marchés publiques", "Marchés publics"),
        ("marche publik", "Marchés publics"),
        ("rgga", "Accessibilité numérique"),
        ("geographie", "Système d'information géographique"),
    ],
)
def test_no_match_suggests_the_nearest_skills(taxonomy, query, nearest):
    assert list(skills_matching(query)) == []
    assert labels(skill_suggestions(query))[0] == nearest


def test_far_queries_and_unclaimed_skills_are_not_suggested(staff, taxonomy):
    assert skill_suggestions("astrophysique") == []
    curation.skill_create(staff, label="Astrophysique")  # nobody claims it
    assert skill_suggestions("astrophysiqe") == []


def test_suggestions_are_one_query(taxonomy, django_assert_num_queries):
    with django_assert_num_queries(1):
        skill_suggestions("acessibilité")
