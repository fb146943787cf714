"""Wiki pages in search: plain-text snippets, filtered like the group's content, gone
when the wiki is switched off."""

import pytest

from intranet.groups import services as group_services
from intranet.search.selectors import search
from intranet.wiki import services
from tests.search.conftest import engine, index_now  # noqa: F401  (the engine fixture)


@pytest.fixture
def pages(private_index, wiki_budget, alice, staff, bob):
    secret = group_services.group_create(staff, name="Cellule", policy="secret")
    group_services.group_tools_set(staff, secret, keys=["wiki"])
    services.page_create(
        alice, wiki_budget, title="Procédure zqxbudget", body="**Étapes** du zqxbudget"
    )
    services.page_create(staff, secret, title="Note zqxsecret", body="<script>x</script> zqxsecret")
    index_now()
    return secret


def test_member_finds_the_page_as_plain_text(db, engine, pages, alice):  # noqa: F811
    hits = search(alice, "zqxbudget").hits
    assert sorted(h.kind for h in hits) == ["post", "wikipage"]  # the page and its announcement
    (hit,) = [h for h in hits if h.kind == "wikipage"]
    assert "**" not in hit.snippet and "Étapes" in hit.snippet


def test_outsiders_find_neither_closed_nor_secret_pages(db, engine, pages, carol, alice):  # noqa: F811
    assert search(carol, "zqxbudget").hits == []
    assert search(alice, "zqxsecret").hits == []


def test_pages_of_a_wiki_switched_off_are_not_found(db, engine, pages, wiki_budget, alice, bob):  # noqa: F811
    group_services.group_tools_set(bob, wiki_budget, keys=[])
    assert [h.kind for h in search(alice, "zqxbudget").hits] == ["post"]
