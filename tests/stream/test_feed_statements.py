"""The feeds' hand-written SQL (stream.statements, access.visible_posts_sql) against the
access model's ORM rule: the same posts for every kind of agent and post, and a secret
group's post reaching no outsider's feed, whatever they follow."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from intranet.departments.services import department_create
from intranet.groups import services as group_services
from intranet.groups.access import member_group_ids
from intranet.groups.models import Group
from intranet.stream import access
from intranet.stream.models import Follow, Post, Visibility
from intranet.stream.selectors import (
    FeedFilter,
    group_feed_with_pinned,
    home_feed,
    home_feed_posts,
    profile_activity,
    topic_feed,
)
from intranet.stream.services import posts, reactions
from intranet.topics.models import Topic, TopicFollow
from intranet.topics.services import topic_follow
from tests.factories import UserFactory


@pytest.fixture
def world(db):
    """Posts of every audience (organisation, departments up and down the chart, open,
    closed and secret groups, removed ones, a share) and the agents who look at them."""
    top = department_create(name="Direction générale zqx")
    sub = department_create(name="Sous-direction zqx", parent=top)
    other = department_create(name="Autre direction zqx")
    owner = UserFactory(username="owner", department=top)
    agents = {
        "owner": owner,
        "member": UserFactory(username="member", department=sub),
        "outsider": UserFactory(username="outsider", department=other),
        "upper": UserFactory(username="upper", department=top),
        "nodepartment": UserFactory(username="nodepartment", department=None),
        "staff": UserFactory(username="staffer", is_staff=True, is_superuser=True),
        "former": UserFactory(username="former", department=top),
    }
    groups, member = {}, agents["member"]
    for policy in ("open", "closed", "secret"):
        group = groups[policy] = group_services.group_create(
            owner, name=f"Groupe {policy} zqx", policy=policy
        )
        for name in ("member", "former"):
            group_services._add_member(group, agents[name])
        post = posts.post_create(
            owner, body=f"tok{policy}zqx #sujetzqx @outsider", visibility="group", group=group
        )
        posts.post_pin(owner, post.pk, pinned=True)
    # Shares: of the open group's post (in it, and in the closed group), of a post for
    # everyone in the secret group.
    opened = Post.objects.get(group=groups["open"])
    posts.post_share(member, opened.pk, group=groups["open"], body="partageopenzqx")
    posts.post_share(member, opened.pk, group=groups["closed"], body="partageclosedzqx")
    everyone = posts.post_create(owner, body="pour tous zqx", visibility="organisation")
    posts.post_share(member, everyone.pk, group=groups["secret"], body="partagesecretzqx")
    for author in (owner, agents["member"], agents["outsider"], agents["nodepartment"]):
        for visibility in ("organisation", "department")[: 1 if author.department is None else 2]:
            posts.post_create(author, body=f"{visibility} #sujetzqx", visibility=visibility)
    posts.post_create(agents["staff"], body="annonce", visibility="organisation", requires_ack=True)
    removed = [
        posts.post_create(owner, body=f"retiré {n}", visibility="organisation") for n in (1, 2)
    ]
    Post.objects.filter(pk=removed[0].pk).update(deleted_at=timezone.now())
    Post.objects.filter(pk=removed[1].pk).update(hidden_at=timezone.now())
    type(owner).objects.filter(pk=agents["former"].pk).update(is_active=False)
    agents["former"].refresh_from_db()
    reactions.agent_follow(agents["outsider"], "owner")
    topic_follow(agents["outsider"], Topic.objects.get(key="sujetzqx"))
    return agents


def ids_by_sql(actor) -> set[int]:
    condition = access.visible_posts_sql(actor, "q")
    if condition is None:
        return set()
    sql, params = condition
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT q.id FROM {Post._meta.db_table} q WHERE {sql}", params)  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def test_the_sql_rule_shows_exactly_what_visible_posts_shows(world):
    for name, actor in world.items():
        expected = set(access.visible_posts(actor).values_list("pk", flat=True))
        assert ids_by_sql(actor) == expected, name
    assert ids_by_sql(world["former"]) == set()


def home_feed_by_orm(actor, feed_filter, topic):
    """The home feed's rule as the ORM wrote it before stream.statements (reference)."""
    posts_ = access.visible_posts(actor)
    groups = member_group_ids(actor)
    if feed_filter == FeedFilter.GROUPS:
        return posts_.filter(group_id__in=groups)
    if feed_filter == FeedFilter.MENTIONS:
        mentions = Post.mentions.through.objects.filter(post_id=OuterRef("pk"), user_id=actor.pk)
        return posts_.filter(Exists(mentions))
    links = Post.topics.through.objects.filter(post_id=OuterRef("pk"))
    if feed_filter == FeedFilter.TOPIC:
        return posts_.filter(Exists(links.filter(topic_id=topic.pk)))
    followed = Follow.objects.filter(follower_id=actor.pk).values("followed_id")
    followed_topics = TopicFollow.objects.filter(agent_id=actor.pk).values("topic_id")
    return posts_.filter(
        Q(group_id__in=groups)
        | Q(visibility=Visibility.DEPARTMENT, department_id__in=access.department_scope_ids(actor))
        | Q(author_id=actor.pk)
        | Q(author_id__in=followed)
        | Q(is_announcement=True, visibility=Visibility.ORGANISATION)
        | Exists(links.filter(topic_id__in=followed_topics))
    )


@pytest.mark.parametrize("feed_filter", FeedFilter.CHOICES)
def test_home_feed_gathers_what_the_orm_rule_gathers(world, feed_filter):
    topic = Topic.objects.get(key="sujetzqx")
    for name, actor in world.items():
        expected = list(
            home_feed_by_orm(actor, feed_filter, topic).order_by("-pk").values_list("pk", flat=True)
        )
        got = [p.pk for p in home_feed(actor, feed_filter=feed_filter, topic=topic, limit=50).posts]
        assert got == expected[:50], (name, feed_filter)
        as_queryset = home_feed_posts(actor, feed_filter, topic).order_by("-pk")
        assert list(as_queryset.values_list("pk", flat=True)) == expected, (name, feed_filter)


def secret_posts() -> set[int]:
    return set(Post.objects.filter(group__policy=Group.Policy.SECRET).values_list("pk", flat=True))


def test_an_outsider_never_sees_a_secret_group_post_in_a_feed(world, client):
    """The outsider follows the author and the #topic, and is mentioned in the post."""
    outsider, owner = world["outsider"], world["owner"]
    secret, topic = secret_posts(), Topic.objects.get(key="sujetzqx")
    shown = set()
    for feed_filter in FeedFilter.CHOICES:
        shown |= {p.pk for p in home_feed(outsider, feed_filter=feed_filter, topic=topic).posts}
    shown |= {p.pk for p in profile_activity(outsider, owner).posts}
    shown |= {p.pk for p in topic_feed(outsider, topic).posts}
    secret_group = Group.objects.get(policy=Group.Policy.SECRET)
    feed, pinned = group_feed_with_pinned(outsider, secret_group)
    shown |= {p.pk for p in [*feed.posts, *pinned]}
    assert shown and not shown & secret
    client.force_login(outsider)
    for url in ("/", "/?show=mentions", "/topics/sujetzqx/", "/people/owner/"):
        html = client.get(url).content.decode()
        assert "toksecretzqx" not in html and "partagesecretzqx" not in html, url


def test_a_member_and_staff_see_the_secret_group_posts_in_their_feeds(world):
    secret = secret_posts()
    for name in ("member", "staff"):
        feed, pinned = group_feed_with_pinned(
            world[name], Group.objects.get(policy=Group.Policy.SECRET)
        )
        assert {p.pk for p in feed.posts} == secret, name
        assert {p.pk for p in pinned} == {min(secret)}, name
    assert secret <= {p.pk for p in home_feed(world["member"]).posts}


def test_a_feed_row_carries_its_author_group_original_and_counts_without_more_queries(
    world, django_assert_num_queries
):
    member = world["member"]
    feed = home_feed(member, feed_filter=FeedFilter.GROUPS)
    shares = [p for p in feed.posts if p.shared_from_id]
    assert len(shares) == 3
    with django_assert_num_queries(0):
        for post in feed.posts:
            assert post.author.display_name and post.group.slug and post.created_at.tzinfo
        for post in shares:
            original = post.visible_original
            assert original.author.username == "owner"
            assert original.group_id is None or original.group.slug
            assert post.comment_count == 0 and post.ack_count == 0
