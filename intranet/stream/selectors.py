"""Feeds: the home feed, group feeds, topic pages and profile activity.

Feeds are assembled on read from indexed tables and paged with an id cursor ("voir
plus"), never OFFSET, so page 50 costs what page 1 does. A page of posts is decorated
(topics, reaction counts, my reactions, comment and acknowledgement counts) with a fixed
number of queries whatever its size.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from intranet.groups.access import member_group_ids
from intranet.stream import access
from intranet.stream.models import Acknowledgement, Comment, Follow, Post, Reaction, Visibility
from intranet.topics.models import Topic, TopicFollow

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50


class FeedFilter:
    ALL = "all"
    GROUPS = "groups"
    MENTIONS = "mentions"
    TOPIC = "topic"
    CHOICES = (ALL, GROUPS, MENTIONS, TOPIC)


@dataclass
class FeedPage:
    posts: list[Post]
    next_cursor: int | None


def parse_cursor(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def _count_per_post(rows: QuerySet):
    """A correlated count of rows (already filtered on post=OuterRef("pk")) as an annotation."""
    return Coalesce(Subquery(rows.values("post").annotate(n=Count("pk")).values("n")[:1]), 0)


def _page(actor, posts: QuerySet[Post], cursor, limit) -> FeedPage:
    limit = max(1, min(int(limit or PAGE_SIZE), MAX_PAGE_SIZE))
    cursor = parse_cursor(cursor)
    if cursor:
        posts = posts.filter(pk__lt=cursor)
    posts = (
        posts.select_related(
            "author__department", "group", "shared_from__author", "shared_from__group"
        )
        .annotate(
            comment_count=_count_per_post(
                Comment.objects.filter(
                    post=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True
                )
            ),
            ack_count=_count_per_post(Acknowledgement.objects.filter(post=OuterRef("pk"))),
        )
        .order_by("-pk")
    )
    rows = list(posts[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    decorate_posts(actor, rows)
    return FeedPage(rows, rows[-1].pk if more and rows else None)


def decorate_posts(actor, posts: list[Post]) -> None:
    """Attach topics, reaction counts and actor's own reactions in two queries."""
    ids = [p.pk for p in posts]
    topics = defaultdict(list)
    for link in Post.topics.through.objects.filter(post_id__in=ids).select_related("topic"):
        topics[link.post_id].append(link.topic)
    counts = defaultdict(dict)
    mine = defaultdict(set)
    rows = (
        Reaction.objects.filter(post_id__in=ids)
        .values("post_id", "kind")
        .annotate(n=Count("pk"), me=Count("pk", filter=Q(agent_id=actor.pk)))
    )
    for row in rows:
        counts[row["post_id"]][row["kind"]] = row["n"]
        if row["me"]:
            mine[row["post_id"]].add(row["kind"])
    for post in posts:
        post.topic_list = sorted(topics[post.pk], key=lambda t: t.key)
        post.reaction_counts = counts[post.pk]
        post.my_reactions = mine[post.pk]
        # A shared post shows its original only to those who may see the original.
        post.visible_original = (
            post.shared_from
            if post.shared_from and access.can_see_post(actor, post.shared_from)
            else None
        )


def home_feed(
    actor, *, feed_filter=FeedFilter.ALL, topic: Topic | None = None, cursor=None, limit=PAGE_SIZE
) -> FeedPage:
    """Posts from my groups, my department, people and topics I follow, and announcements."""
    posts = access.visible_posts(actor)
    groups = member_group_ids(actor)
    if feed_filter == FeedFilter.GROUPS:
        posts = posts.filter(group_id__in=groups)
    elif feed_filter == FeedFilter.MENTIONS:
        posts = posts.filter(
            Exists(Post.mentions.through.objects.filter(post_id=OuterRef("pk"), user_id=actor.pk))
        )
    elif feed_filter == FeedFilter.TOPIC and topic is not None:
        posts = posts.filter(
            Exists(Post.topics.through.objects.filter(post_id=OuterRef("pk"), topic_id=topic.pk))
        )
    else:
        followed = Follow.objects.filter(follower_id=actor.pk).values("followed_id")
        followed_topics = TopicFollow.objects.filter(agent_id=actor.pk).values("topic_id")
        posts = posts.filter(
            Q(group_id__in=groups)
            | Q(
                visibility=Visibility.DEPARTMENT,
                department_id__in=access.department_scope_ids(actor),
            )
            | Q(author_id=actor.pk)
            | Q(author_id__in=followed)
            | Q(is_announcement=True, visibility=Visibility.ORGANISATION)
            | Exists(
                Post.topics.through.objects.filter(
                    post_id=OuterRef("pk"), topic_id__in=followed_topics
                )
            )
        )
    return _page(actor, posts, cursor, limit)


def group_feed(actor, group, *, cursor=None, limit=PAGE_SIZE) -> FeedPage:
    return _page(actor, access.visible_posts(actor).filter(group_id=group.pk), cursor, limit)


def pinned_posts(actor, group) -> list[Post]:
    posts = list(
        access.visible_posts(actor)
        .filter(group_id=group.pk, pinned_at__isnull=False)
        .select_related("author__department", "group")
        .order_by("-pinned_at")[:5]
    )
    decorate_posts(actor, posts)
    return posts


def topic_feed(actor, topic: Topic, *, cursor=None, limit=PAGE_SIZE) -> FeedPage:
    posts = access.visible_posts(actor).filter(
        Exists(Post.topics.through.objects.filter(post_id=OuterRef("pk"), topic_id=topic.pk))
    )
    return _page(actor, posts, cursor, limit)


def profile_activity(actor, agent, *, cursor=None, limit=PAGE_SIZE) -> FeedPage:
    return _page(actor, access.visible_posts(actor).filter(author_id=agent.pk), cursor, limit)


def post_comments(actor, post: Post) -> list[Comment]:
    """Visible comments of a post, threads in order, replies attached as .reply_list."""
    comments = list(
        Comment.objects.filter(post=post, deleted_at__isnull=True, hidden_at__isnull=True)
        .select_related("author")
        .annotate(reaction_total=Count("reactions"))
        .order_by("pk")
    )
    by_id = {c.pk: c for c in comments}
    top = []
    for comment in comments:
        comment.reply_list = []
    for comment in comments:
        parent = by_id.get(comment.parent_id)
        (parent.reply_list if parent else top).append(comment)
    return top


def acknowledgement_state(actor, post: Post) -> tuple[int, bool]:
    acks = Acknowledgement.objects.filter(post=post)
    return acks.count(), acks.filter(agent_id=actor.pk).exists()


def is_following(actor, agent) -> bool:
    return Follow.objects.filter(follower_id=actor.pk, followed_id=agent.pk).exists()
