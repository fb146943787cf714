"""The feed's post articles: cached by what they print, never stale, constant queries."""

import re

import pytest
from django.template.loader import render_to_string

from intranet.stream.selectors import group_feed, home_feed
from intranet.stream.services import comments, posts, reactions
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def alice_follows_carol(alice, carol):
    reactions.agent_follow(alice, "carol")


def fill(carol, alice, group, n):
    for i in range(n):
        post = posts.post_create(
            carol, body=f"#sujet{i % 3} billet {i} @alice", visibility="group", group=group
        )
        comments.comment_create(alice, post.pk, body="ok")
        reactions.reaction_toggle(alice, kind="like", post_id=post.pk)


def test_a_reaction_shows_at_once_despite_the_article_cache(alice_client, alice, carol):
    post = posts.post_create(carol, body="Bonne nouvelle", visibility="organisation")
    html = alice_client.get("/").content.decode()
    assert "Bonne nouvelle" in html and "reaction--mine" not in html
    reactions.reaction_toggle(alice, kind="idea", post_id=post.pk)
    html = alice_client.get("/").content.decode()
    assert html.count("reaction--mine") == 1
    assert re.search(r'value="idea"[^>]*reaction--mine|reaction--mine[^>]*>.*?1</span>', html, re.S)


def test_an_edit_and_a_new_comment_show_at_once(alice_client, alice, carol):
    post = posts.post_create(carol, body="Première version", visibility="organisation")
    alice_client.get("/")
    posts.post_edit(carol, post.pk, body="Seconde version")
    comments.comment_create(alice, post.pk, body="vu")
    html = alice_client.get("/").content.decode()
    assert "Seconde version" in html and "Première version" not in html
    assert "1 commentaire" in html


def test_another_viewer_does_not_get_my_reactions_from_the_cache(client, alice, carol):
    bob = UserFactory(username="bob")
    post = posts.post_create(carol, body="Pour tous", visibility="organisation")
    reactions.reaction_toggle(alice, kind="like", post_id=post.pk)
    client.force_login(alice)
    assert "reaction--mine" in client.get("/").content.decode()
    reactions.agent_follow(bob, "carol")
    client.force_login(bob)
    html = client.get("/").content.decode()
    assert "Pour tous" in html and "reaction--mine" not in html


def test_articles_carry_no_token_the_page_has_one_reaction_form(alice_client, carol):
    for i in range(3):
        posts.post_create(carol, body=f"billet {i}", visibility="organisation")
    html = alice_client.get("/?fragment=1").content.decode()
    assert html.count('id="reaction-form"') == 1
    assert html.count("csrfmiddlewaretoken") == 1
    assert html.count('form="reaction-form"') == 15  # 3 posts x 5 reactions
    response = alice_client.post(
        re.search(r'formaction="([^"]+)"', html).group(1), {"kind": "like", "next": "/"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("limit", [5, 50])
def test_feed_queries_do_not_grow_with_page_size_or_depth(
    alice, carol, group, carol_member, limit, django_assert_max_num_queries
):
    """Memberships (read twice outside a request's cache), the page's posts, their topics
    and reactions (one statement): 4 queries whatever the page size and depth, rendering
    included; a group feed also reads the group's upload batches (memberships once more,
    the libraries the agent animates, the folders restricted away from the agent, the
    versions): 8."""
    fill(carol, alice, group, 120)
    deep = home_feed(alice, limit=limit)
    for _ in range(2):
        deep = home_feed(alice, cursor=deep.next_cursor, limit=limit)
    for cursor in (None, deep.next_cursor):
        for feed_of, budget in (
            (lambda c: home_feed(alice, cursor=c, limit=limit), 4),
            (lambda c: group_feed(alice, group, cursor=c, limit=limit), 8),
        ):
            with django_assert_max_num_queries(budget):
                feed = feed_of(cursor)
                render_to_string("stream/_feed_page.html", {"feed": feed})
            assert len(feed.posts) == limit


def test_feed_fragments_stay_under_seven_queries_at_any_depth(
    alice_client, alice, carol, group, carol_member, django_assert_max_num_queries
):
    """Session, user, memberships, the page's posts, their topics and reactions (one
    statement), and the site's branding (read once per process)."""
    fill(carol, alice, group, 70)
    deep = home_feed(alice, limit=50).next_cursor
    deep_group = group_feed(alice, group, limit=50).next_cursor
    # A group's fragment also reads its upload batches (the libraries the agent animates,
    # the folders restricted away from the agent, the versions): three more.
    for url, budget in (
        ("/?fragment=1", 6),
        (f"/?fragment=1&after={deep}", 6),
        (f"/groups/{group.slug}/?fragment=1", 10),
        (f"/groups/{group.slug}/?fragment=1&after={deep_group}", 10),
    ):
        with django_assert_max_num_queries(budget):
            assert alice_client.get(url).status_code == 200


def test_reactions_are_drawn_with_the_site_s_icons_not_emoji(alice_client, alice, carol):
    """Workstations without a colour-emoji font showed empty boxes: the buttons draw the
    site's own SVG icons, with the reaction's name for screen readers and the count."""
    post = posts.post_create(carol, body="Icônes", visibility="organisation")
    reactions.reaction_toggle(alice, kind="celebrate", post_id=post.pk)
    comment = comments.comment_create(alice, post.pk, body="bravo")
    reactions.reaction_toggle(carol, kind="thanks", comment_id=comment.pk)
    for url in ("/", f"/posts/{post.pk}/"):
        html = alice_client.get(url).content.decode()
        for emoji in ("👍", "🙏", "💡", "✅", "🎉"):
            assert emoji not in html
        assert re.search(
            r'<svg class="reaction-icon" aria-hidden="true"[^>]*><use href="/static/'
            r'transverse/icons/reactions(\.\w+)?\.svg#reaction-celebrate"></use></svg>'
            r'<span class="visually-hidden">Bravo</span> <span class="reaction__count">1</span>',
            html,
        )
    icons = alice_client.get("/static/transverse/icons/reactions.svg")
    assert icons.status_code == 200
    sprite = b"".join(icons.streaming_content).decode()
    for kind in ("like", "thanks", "idea", "agree", "celebrate"):
        assert f'<symbol id="reaction-{kind}"' in sprite


def test_composer_fields_follow_the_language_despite_the_field_cache(alice_client):
    english = alice_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = alice_client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Your message" in english and "Your message" not in french
    assert "Votre message" in french
    assert alice_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode().count(
        "Your message"
    ) == english.count("Your message")


@pytest.mark.parametrize("who", ["alice", "staff"])
@pytest.mark.parametrize("in_group", [False, True])
def test_composer_fields_are_the_widgets_own_markup(request, who, in_group, group):
    from django.template import Context, Template

    from intranet.stream.forms import PostForm

    form = PostForm(actor=request.getfixturevalue(who), group=group if in_group else None)
    plain = Template('{% include "_field.html" with field=field %}')
    tagged = Template("{% load stream %}{% composer_field field %}")
    for field in form.visible_fields():
        for _ in range(2):  # rendered, then from the field cache
            context = {"field": field}
            assert tagged.render(Context(context)) == plain.render(Context(context)), field.name


def test_a_refused_post_shows_its_errors_and_text_not_a_cached_field(alice_client):
    html = alice_client.post(
        "/posts/new/", {"body": "", "visibility": "nowhere"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "field--error" in html
    html = alice_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "field--error" not in html
