"""Wiki services: create, edit with optimistic locking, versions, restore, [[links]],
hierarchy, announcements in the group's stream; each refusal with its exact message."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from intranet.stream.models import Post
from intranet.wiki import services
from intranet.wiki.models import WikiPage, WikiVersion
from intranet.wiki.rendering import render_page


def messages_of(error) -> list[str]:
    return error.value.messages


def test_create_keeps_version_one_and_announces_in_the_stream(wiki_budget, alice):
    page = services.page_create(alice, wiki_budget, title="  Guide   d’accueil ", body="Bonjour")
    assert (page.title, page.slug, page.version) == ("Guide d’accueil", "guide-daccueil", 1)
    assert list(page.versions.values_list("number", "body")) == [(1, "Bonjour")]
    post = Post.objects.get(group=wiki_budget)
    assert f"/groups/{wiki_budget.slug}/wiki/guide-daccueil/" in post.body


def test_duplicate_title_is_refused(wiki_budget, alice, english):
    services.page_create(alice, wiki_budget, title="Guide")
    with pytest.raises(ValidationError) as error:
        services.page_create(alice, wiki_budget, title="GUIDE ")
    assert messages_of(error) == ["A page with this title already exists in this group."]


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("   ", "Give the page a title."),
        ("x" * 201, "The title is too long (200 characters at most)."),
        ("[[Loop]]", "A title cannot contain [[ or ]]."),
    ],
)
def test_bad_titles_are_refused(wiki_budget, alice, english, title, message):
    with pytest.raises(ValidationError) as error:
        services.page_create(alice, wiki_budget, title=title)
    assert messages_of(error) == [message]


def test_huge_body_is_refused(wiki_budget, alice, english):
    with pytest.raises(ValidationError) as error:
        services.page_create(alice, wiki_budget, title="Big", body="a" * 100_001)
    assert messages_of(error) == ["The page is too long (100000 characters at most)."]


def test_outsider_may_not_create(wiki_budget, carol):
    with pytest.raises(PermissionDenied):
        services.page_create(carol, wiki_budget, title="Intrus")


def test_edit_conflict_refuses_the_second_save_and_keeps_the_first(
    wiki_budget, alice, bob, english
):
    page = services.page_create(alice, wiki_budget, title="Plan", body="v1")
    services.page_edit(bob, page, base_version=1, title="Plan", body="bob's text")
    stale = WikiPage.objects.get(pk=page.pk)
    stale.version = 1  # alice opened the form at version 1
    with pytest.raises(services.EditConflict) as error:
        services.page_edit(alice, page, base_version=1, title="Plan", body="alice's text")
    assert messages_of(error) == [
        "Someone else saved this page while you were editing it (it is now at version 2, "
        "you started from version 1). Nothing is lost: your text is kept below. Compare it "
        "with the current version, then save again."
    ]
    page.refresh_from_db()
    assert (page.version, page.body) == (2, "bob's text")
    assert WikiVersion.objects.filter(page=page).count() == 2


def test_restore_makes_a_new_version_with_the_old_text(wiki_budget, alice):
    page = services.page_create(alice, wiki_budget, title="Plan", body="first")
    services.page_edit(alice, page, base_version=1, title="Plan renamed", body="second")
    page = services.page_restore(alice, page, number=1, base_version=2)
    assert (page.version, page.title, page.body) == (3, "Plan", "first")
    assert page.versions.get(number=3).restored_from == 1


def test_restore_of_a_missing_version_is_refused(wiki_budget, alice, english):
    page = services.page_create(alice, wiki_budget, title="Plan")
    with pytest.raises(ValidationError) as error:
        services.page_restore(alice, page, number=9, base_version=1)
    assert messages_of(error) == ["This version does not exist."]


def test_animators_only_page_refuses_members(wiki_budget, alice, bob):
    page = services.page_create(bob, wiki_budget, title="Charte", editors="animators")
    with pytest.raises(PermissionDenied):
        services.page_edit(alice, page, base_version=1, title="Charte", body="x")
    services.page_edit(bob, page, base_version=1, title="Charte", body="x")


def test_member_may_not_restrict_editors(wiki_budget, alice):
    with pytest.raises(PermissionDenied):
        services.page_create(alice, wiki_budget, title="Mine", editors="animators")


def test_a_page_cannot_move_under_its_own_sub_page(wiki_budget, alice, english):
    top = services.page_create(alice, wiki_budget, title="Top")
    child = services.page_create(alice, wiki_budget, title="Child", parent=top)
    with pytest.raises(ValidationError) as error:
        services.page_edit(alice, top, base_version=1, title="Top", body="", parent=child)
    assert messages_of(error) == ["A page cannot be placed under itself or one of its sub-pages."]


def test_links_by_title_and_hostile_markdown(wiki_budget, alice):
    services.page_create(alice, wiki_budget, title="Guide d’accueil")
    page = services.page_create(
        alice,
        wiki_budget,
        title="Index",
        body="Voir [[guide d’accueil]] et [[Absente]].\n\n<script>alert(1)</script> "
        "[x](javascript:alert(1)) [[<img src=x onerror=alert(1)>]]",
    )
    html = str(render_page(page, can_create=True))
    assert f'<a href="/groups/{wiki_budget.slug}/wiki/guide-daccueil/">guide d’accueil</a>' in html
    assert 'class="wiki-missing" href="/groups/' in html and "title=Absente" in html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html


def test_minor_and_small_changes_are_not_announced(wiki_budget, alice):
    page = services.page_create(alice, wiki_budget, title="Plan", body="x", announce=False)
    services.page_edit(alice, page, base_version=1, title="Plan", body="x" * 500, minor=True)
    services.page_edit(alice, page, base_version=2, title="Plan", body="x" * 501)
    assert not Post.objects.filter(group=wiki_budget).exists()
    services.page_edit(alice, page, base_version=3, title="Plan", body="y" * 300)
    assert Post.objects.filter(group=wiki_budget).count() == 1
