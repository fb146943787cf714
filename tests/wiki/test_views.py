"""Wiki pages over HTTP: create, the edit conflict (409, the loser's text kept, a diff
beside it), the side-by-side diff and restore, the training-space template."""

import re

from intranet.groups import services as group_services
from intranet.wiki import services
from intranet.wiki.models import WikiPage


def test_create_then_edit_through_the_form(client, wiki_budget, alice):
    client.force_login(alice)
    base = f"/groups/{wiki_budget.slug}/wiki/"
    response = client.post(
        f"{base}new/", {"title": "Plan", "body": "# Étapes\n\n1. Lire", "parent": ""}
    )
    assert response.status_code == 302 and response["Location"] == f"{base}plan/"
    html = client.get(f"{base}plan/").content.decode()
    assert "<h1>Étapes</h1>" in html
    response = client.post(
        f"{base}plan/edit/", {"title": "Plan", "body": "2. Faire", "version": 1, "parent": ""}
    )
    assert response.status_code == 302
    assert WikiPage.objects.get(group=wiki_budget).version == 2


def test_edit_conflict_keeps_the_losers_text_and_shows_the_diff(
    client, wiki_budget, alice, bob, english
):
    page = services.page_create(alice, wiki_budget, title="Plan", body="common line")
    services.page_edit(bob, page, base_version=1, title="Plan", body="bob wrote this")
    client.force_login(alice)
    response = client.post(
        f"/groups/{wiki_budget.slug}/wiki/plan/edit/",
        {"title": "Plan", "body": "alice wrote <b>that</b>", "version": 1, "parent": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quelqu’un d’autre a enregistré cette page pendant que vous la modifiiez" in html
    assert "alice wrote &lt;b&gt;that&lt;/b&gt;</textarea>" in html
    assert re.search(r'name="version" value="2"', html)  # saving again builds on version 2
    assert "bob wrote this" in html and 'class="wiki-diff"' in html
    page.refresh_from_db()
    assert page.body == "bob wrote this"


def test_diff_is_an_accessible_table_in_a_focusable_region(client, wiki_budget, alice):
    page = services.page_create(alice, wiki_budget, title="Plan", body="one\ntwo\nthree")
    services.page_edit(alice, page, base_version=1, title="Plan", body="one\n2\nthree\nfour")
    client.force_login(alice)
    html = client.get(f"/groups/{wiki_budget.slug}/wiki/plan/diff/").content.decode()
    assert 'role="region" tabindex="0" aria-labelledby="diff-caption"' in html
    assert '<caption id="diff-caption">' in html and '<th scope="col">' in html
    assert "<del>" in html and "two</del>" in html and "2</ins>" in html and "four</ins>" in html


def test_restore_from_the_history(client, wiki_budget, alice):
    page = services.page_create(alice, wiki_budget, title="Plan", body="first")
    services.page_edit(alice, page, base_version=1, title="Plan", body="second")
    client.force_login(alice)
    base = f"/groups/{wiki_budget.slug}/wiki/plan/"
    assert f'action="{base}versions/1/restore/"' in client.get(f"{base}history/").content.decode()
    response = client.post(f"{base}versions/1/restore/", {"version": 2})
    assert response.status_code == 302
    page.refresh_from_db()
    assert (page.version, page.body) == (3, "first")
    stale = client.post(f"{base}versions/1/restore/", {"version": 2}, follow=True)
    assert stale.status_code == 200
    page.refresh_from_db()
    assert page.version == 3  # a stale restore saves nothing
    huge = client.post(f"{base}versions/99999999999999999999/restore/", {"version": 3})
    assert huge.status_code == 302
    huge = client.post(f"{base}versions/1/restore/", {"version": "99999999999999999999"})
    assert huge.status_code == 404


def test_training_space_template_adds_a_welcome_page(client, alice):
    group = group_services.group_create(
        alice, name="Nouvel outil", policy="open", template="training"
    )
    page = WikiPage.objects.get(group=group)
    assert page.slug in ("bienvenue", "welcome")
    client.force_login(alice)
    assert client.get(f"/groups/{group.slug}/wiki/").status_code == 200


def test_page_view_query_count_does_not_grow(
    client, wiki_budget, alice, django_assert_max_num_queries
):
    top = services.page_create(alice, wiki_budget, title="Top", body="[[Child 1]] [[Child 2]]")
    for n in range(5):
        services.page_create(alice, wiki_budget, title=f"Child {n}", parent=top)
    client.force_login(alice)
    client.get(f"/groups/{wiki_budget.slug}/wiki/top/")
    with django_assert_max_num_queries(25):
        assert client.get(f"/groups/{wiki_budget.slug}/wiki/top/").status_code == 200


def test_page_diff_history_and_contents_cost_the_same_queries_as_the_wiki_grows(
    client, wiki_budget, alice
):
    """The page view (breadcrumb, sub-pages, [[links]]), the diff, the history and the
    table of contents: as many queries for a page at depth 1 with two versions as for a
    page at depth 6 with many sub-pages, links and versions among many pages."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    base = f"/groups/{wiki_budget.slug}/wiki/"

    def counts(slug: str, version: int) -> dict[str, int]:
        urls = {
            "page": f"{base}{slug}/",
            "diff": f"{base}{slug}/diff/?from={version - 1}&to={version}",
            "history": f"{base}{slug}/history/",
            "contents": base,
        }
        result = {}
        for name, url in urls.items():
            client.get(url)  # caches warmed (content types, translations)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            result[name] = len(queries.captured_queries)

        return result

    def edit(page, body):
        return services.page_edit(
            alice, page, base_version=page.version, title=page.title, body=body
        )

    top = services.page_create(alice, wiki_budget, title="Racine", body="Début")
    small = services.page_create(alice, wiki_budget, title="Petite", body="[[Racine]]", parent=top)
    small = edit(small, "[[Racine]]\n\nsuite")
    client.force_login(alice)
    few = counts(small.slug, small.version)

    parent = top
    for depth in range(5):
        parent = services.page_create(alice, wiki_budget, title=f"Niveau {depth}", parent=parent)
    links = " ".join(f"[[Sœur {n}]] [[Manquante {n}]]" for n in range(8))
    big = services.page_create(alice, wiki_budget, title="Grande", body=links, parent=parent)
    for n in range(8):
        services.page_create(alice, wiki_budget, title=f"Sœur {n}", parent=big)
    for n in range(6):
        big = edit(big, f"{links}\n\nversion {n}\n" + "ligne\n" * (n * 50))
    many = counts(big.slug, big.version)
    assert many == few
