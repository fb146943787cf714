"""Feeds: what each one contains, cursor paging, and a constant number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from intranet.stream.selectors import home_feed
from intranet.stream.services import comments, posts, reactions
from intranet.topics.models import Topic
from intranet.topics.services import topic_follow
from tests.factories import UserFactory, make_department


def bodies(page):
    return [p.body for p in page.posts]


def test_home_feed_gathers_my_sources(alice, carol, group):
    stranger = UserFactory(username="stranger", department=make_department("Ailleurs"))
    posts.post_create(alice, body="dans mon groupe", visibility="group", group=group)
    posts.post_create(alice, body="pour mon service", visibility="department")
    posts.post_create(stranger, body="un inconnu pour tous", visibility="organisation")
    posts.post_create(carol, body="une collègue suivie", visibility="organisation")
    posts.post_create(stranger, body="sur un sujet suivi #budget", visibility="organisation")
    reactions.agent_follow(alice, "carol")
    topic_follow(alice, Topic.objects.get(key="budget"))
    feed = bodies(home_feed(alice))
    assert feed == [
        "sur un sujet suivi #budget",
        "une collègue suivie",
        "pour mon service",
        "dans mon groupe",
    ]


def test_staff_announcements_reach_everyone(alice, staff):
    posts.post_create(staff, body="annonce", visibility="organisation", requires_ack=True)
    assert bodies(home_feed(alice)) == ["annonce"]


def test_filters_groups_mentions_topic(alice, carol, group):
    posts.post_create(alice, body="groupe", visibility="group", group=group)
    posts.post_create(carol, body="hello @alice #rgpd", visibility="organisation")
    assert bodies(home_feed(alice, feed_filter="groups")) == ["groupe"]
    assert bodies(home_feed(alice, feed_filter="mentions")) == ["hello @alice #rgpd"]
    topic = Topic.objects.get(key="rgpd")
    assert bodies(home_feed(alice, feed_filter="topic", topic=topic)) == ["hello @alice #rgpd"]


def test_cursor_pages_without_gaps_or_repeats(alice):
    for i in range(45):
        posts.post_create(alice, body=f"message {i}", visibility="organisation")
    seen, cursor = [], None
    while True:
        page = home_feed(alice, cursor=cursor, limit=20)
        seen += bodies(page)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == [f"message {i}" for i in range(44, -1, -1)]


def test_feed_page_costs_the_same_queries_at_any_size_and_depth(
    alice, carol, group, carol_member, client
):
    """The "voir plus" fragment: session, user, memberships, the page's posts (one
    statement), their topics and reactions (one more) — whatever the page size or depth."""
    client.force_login(alice)

    def make(n):
        for i in range(n):
            post = posts.post_create(
                carol, body=f"#sujet{i % 3} billet {i} @alice", visibility="group", group=group
            )
            comments.comment_create(alice, post.pk, body="ok")
            reactions.reaction_toggle(alice, kind="like", post_id=post.pk)

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    make(5)
    client.get("/?fragment=1")  # warm per-process caches
    small = count("/?fragment=1")
    make(60)
    deep_cursor = home_feed(alice, limit=50).next_cursor
    assert count("/?fragment=1") == small
    assert count(f"/?fragment=1&after={deep_cursor}") == small
    assert small <= 5


def test_voir_plus_link_and_bad_cursors(alice_client, alice):
    for i in range(25):
        posts.post_create(alice, body=f"m{i}", visibility="organisation")
    html = alice_client.get("/").content.decode()
    assert 'rel="next"' in html
    for bad in ["abc", "-5", "0", "9" * 40]:
        assert alice_client.get("/", {"after": bad}).status_code == 200


def test_group_feed_fragment_query_count_is_constant(alice, carol, group, carol_member, client):
    client.force_login(alice)

    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for i in range(3):
        posts.post_create(carol, body=f"billet {i}", visibility="group", group=group)
    url = f"/groups/{group.slug}/?fragment=1"
    client.get(url)
    small = count(url)
    for i in range(30):
        post = posts.post_create(carol, body=f"#x billet {i}", visibility="group", group=group)
        reactions.reaction_toggle(alice, kind="idea", post_id=post.pk)
    assert count(url) == small and small <= 10  # 7, and the group's upload batches: 3
