"""The results page, the header box and the search-as-you-type endpoint."""

import pytest
from django.urls import reverse

from intranet.groups import services as group_services
from intranet.skills.services import agent_skills_set
from intranet.stream.services import posts
from tests.search.conftest import index_now


@pytest.fixture
def content(db, alice, carol, engine):
    agent_skills_set(alice, alice, labels=["Marchés publics"])
    group_services.group_create(carol, name="Cercle discret", description="x", policy="secret")
    group_services.group_create(carol, name="Cercle ouvert", description="x", policy="open")
    posts.post_create(
        alice, body="<script>alert('x')</script> zqxpage <b>gras</b>", visibility="organisation"
    )
    index_now()


def test_results_page_escapes_content_and_marks_matches(content, alice_client):
    response = alice_client.get(reverse("search:search-results"), {"q": "zqxpage"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html and "<b>gras" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>zqxpage</mark>" in html


def test_agents_are_found_by_skill_and_department(content, alice_client):
    for q in ("marches publics", "finances", "Lefevre"):
        response = alice_client.get(reverse("search:search-results"), {"q": q})
        assert "Alice Lefèvre" in response.content.decode(), q


def test_results_page_has_facets_sort_and_header_box(content, alice_client):
    response = alice_client.get(reverse("search:search-results"), {"q": "cercle", "sort": "date"})
    html = response.content.decode()
    assert 'role="combobox"' in html and "search.js" in html
    kinds = response.context["outcome"].facets["kind"]
    assert [(v.value, v.count) for v in kinds] == [("group", 1)]
    assert "Cercle discret" not in html


def test_empty_query_shows_the_form_only(content, alice_client):
    response = alice_client.get(reverse("search:search-results"))
    assert response.status_code == 200
    assert response.context["outcome"].searched is False


def test_search_needs_sign_in(client, db):
    response = client.get(reverse("search:search-results"), {"q": "x"})
    assert response.status_code == 302
    assert client.get(reverse("search:search-suggest"), {"q": "xx"}).status_code == 302


def test_suggest_lists_visible_agents_and_groups_only(content, alice_client, carol, client):
    data = alice_client.get(reverse("search:search-suggest"), {"q": "cercle"}).json()
    assert [r["label"] for r in data["results"]] == ["Cercle ouvert"]
    data = alice_client.get(reverse("search:search-suggest"), {"q": "alic"}).json()
    assert data["results"][0]["label"] == "Alice Lefèvre"
    assert data["results"][0]["url"] == "/people/alice/"
    client.force_login(carol)
    data = client.get(reverse("search:search-suggest"), {"q": "cercle"}).json()
    assert {r["label"] for r in data["results"]} == {"Cercle discret", "Cercle ouvert"}


def test_suggest_is_bounded_in_queries(content, alice_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        alice_client.get(reverse("search:search-suggest"), {"q": "a" * 5000})
