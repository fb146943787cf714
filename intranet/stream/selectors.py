"""Feeds: the home feed, group feeds, topic pages and profile activity.

Feeds are assembled on read from indexed tables and paged with an id cursor ("voir
plus"), never OFFSET, so page 50 costs what page 1 does. A page of posts is read in one
statement (its posts with their authors, groups, shared originals, comment and
acknowledgement counts) and decorated (topics, reaction counts, my reactions) in one
more, whatever its size. The hot feeds (home, group, profile, #topic) write their
condition in SQL (stream.statements, with access.visible_posts_sql): the ORM's
compilation of these reads cost more than running them.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import quote

from django.core.exceptions import EmptyResultSet
from django.db.models import BooleanField, Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.template.loader import get_template
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext

from intranet.documents.activity import document_batches
from intranet.documents.cards import cards_attach
from intranet.groups.access import member_group_ids
from intranet.groups.models import Group
from intranet.stream import access, statements
from intranet.stream.models import (
    REACTION_SYMBOLS,
    Acknowledgement,
    Comment,
    Follow,
    Post,
    Reaction,
    ReactionKind,
    Visibility,
)
from intranet.topics.access import visible_topics
from intranet.topics.models import Topic, TopicFollow

PAGE_SIZE = 20
MAX_PAGE_SIZE = 50
POPULAR_DAYS = 30  # how far back "popular posts" look, for an agent who follows nothing


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
    # Other entries shown among the posts by date (a group's document uploads).
    activity: list = field(default_factory=list)

    @property
    def entries(self) -> list:
        """Posts and activity, newest first."""
        if not self.activity:
            return self.posts
        return sorted([*self.posts, *self.activity], key=_entry_time, reverse=True)


def _entry_time(entry):
    return entry.created_at if isinstance(entry, Post) else entry.at


def parse_cursor(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def _count_per_post(rows: QuerySet):
    """A correlated count of rows (already filtered on post=OuterRef("pk")) as an annotation."""
    return Coalesce(Subquery(rows.values("post").annotate(n=Count("pk")).values("n")[:1]), 0)


def posts_page(
    actor, posts: QuerySet[Post], cursor=None, limit=PAGE_SIZE, *, also: list[Post] = ()
) -> FeedPage:
    """A page of posts (already filtered by the access model) before cursor, decorated;
    `also` (pinned posts) is decorated with it, so a page costs the same queries with or
    without them."""
    limit = _page_size(limit)
    cursor = parse_cursor(cursor)
    if cursor:
        posts = posts.filter(pk__lt=cursor)
    ids = posts.order_by("-pk").values("pk")[: limit + 1]
    try:
        ids_sql, params = ids.query.sql_with_params()
    except EmptyResultSet:  # none(), an empty list of ids: nothing to read
        return _page(actor, [], limit, also)
    return _page(actor, statements.posts_in(ids_sql, params), limit, also)


def _page_size(limit) -> int:
    return max(1, min(int(limit or PAGE_SIZE), MAX_PAGE_SIZE))


def _visible_page(actor, where: str, params: list, cursor, limit, *, also=()) -> FeedPage:
    """The page of the posts actor may see (access.visible_posts_sql) that match where,
    a condition on stream_post AS q (statements.posts_where)."""
    limit = _page_size(limit)
    visible = access.visible_posts_sql(actor, "q")
    rows = []
    if visible is not None:
        rows = statements.posts_where(
            f"{visible[0]} AND {where}",
            [*visible[1], *params],
            cursor=parse_cursor(cursor),
            limit=limit + 1,
        )
    return _page(actor, rows, limit, also)


def _page(actor, rows: list[Post], limit: int, also=()) -> FeedPage:
    more = len(rows) > limit
    rows = rows[:limit]
    decorate_posts(actor, [*rows, *also])
    return FeedPage(rows, rows[-1].pk if more and rows else None)


def decorate_posts(actor, posts: list[Post]) -> None:
    """Attach topics, reaction counts and actor's own reactions in one query.

    Also everything the post partial shows, computed here once per page rather than by
    template tags once per post (URLs, dates, labels, reaction buttons): the template
    only prints, which keeps a page of 20 posts cheap to render.
    """
    topics, counts, mine = statements.decorations(actor, list({p.pk for p in posts}))
    shown = _PostDisplay()
    for post in posts:
        post.topic_list = sorted(topics.get(post.pk, ()), key=lambda t: t.key)
        post.reaction_counts = counts.get(post.pk, {})
        post.my_reactions = mine.get(post.pk, set())
        # A shared post shows its original only to those who may see the original.
        post.visible_original = (
            post.shared_from
            if post.shared_from and access.can_see_post(actor, post.shared_from)
            else None
        )
        shown.attach(post)
    # Cards of the documents the posts (and shared originals) link to, for this viewer.
    cards_attach(actor, posts, html=_post_html)


def _post_html(post: Post) -> str:
    original = post.visible_original
    return post.body_html + (original.body_html if original is not None else "")


class _PostDisplay:
    """What the post partial prints, for one page: each URL pattern is reversed once and
    then filled in (a reverse() per link per post was a large part of a feed's time)."""

    SLOT = "zzslotzz"

    def __init__(self):
        self._patterns = {}
        self.date_format = get_format("SHORT_DATETIME_FORMAT")
        # The icon of each kind, rendered once per page rather than included per button.
        icon = get_template("_reaction_icon.html")
        self.reaction_kinds = [
            (kind, str(label), REACTION_SYMBOLS[kind], icon.render({"kind": kind}))
            for kind, label in ReactionKind.choices
        ]

    # A post's reaction buttons, as stream/_post.html wrote them in a loop (the loop was a
    # third of rendering an article): each button submits the page's one reaction form.
    BUTTON = (
        '<button type="submit" form="reaction-form" formaction="{}" name="kind" value="{}" '
        'class="reaction{}" aria-pressed="{}" title="{}">{}<span class="visually-hidden">{}'
        "</span>{}</button>\n      "
    )
    COUNT = ' <span class="reaction__count">{}</span>'

    def reaction_html(self, url: str, buttons) -> str:
        return format_html_join(
            "",
            self.BUTTON,
            (
                (url, kind, " reaction--mine" if mine else "", "true" if mine else "false",
                 label, icon, label, format_html(self.COUNT, count) if count else "")
                for kind, label, _symbol, count, mine, icon in buttons
            ),
        )  # fmt: skip

    def url(self, name: str, value) -> str:
        pattern = self._patterns.get(name)
        if pattern is None:
            sample = 987654321 if name.startswith("stream:") else self.SLOT
            pattern = self._patterns[name] = reverse(name, args=[sample]).replace(str(sample), "{}")
        return pattern.format(quote(str(value), safe="!$&'()*+,;=/~:@"))

    def attach(self, post: Post) -> None:
        post.url = self.url("stream:post-detail", post.pk)
        post.react_url = self.url("stream:post-react", post.pk)
        post.image_url = self.url("stream:post-image", post.pk) if post.image else ""
        # The author's description; "" for a decorative image; older posts' generic words.
        post.image_alt_text = (
            "" if post.image_decorative else post.image_alt or gettext("Image attached to the post")
        )
        author = post.author
        post.author_url = self.url("people:agent-detail", author.username)
        post.author_photo_url = (
            self.url("people:agent-photo", author.username) if (author.photo) else ""
        )
        post.group_url = self.url("groups:group-detail", post.group.slug) if post.group_id else ""
        post.topic_links = [
            (self.url("topics:topic-detail", t.key), t.label) for t in post.topic_list
        ]
        if post.visible_original is not None:
            post.original_url = self.url("stream:post-detail", post.visible_original.pk)
        created = timezone.localtime(post.created_at)
        post.created_iso = created.isoformat()
        post.created_label = dateformat.format(created, self.date_format)
        counts, mine = post.reaction_counts, post.my_reactions
        post.reaction_buttons = [
            (kind, label, symbol, counts.get(kind, 0), kind in mine, icon)
            for kind, label, symbol, icon in self.reaction_kinds
        ]
        post.reaction_html = self.reaction_html(post.react_url, post.reaction_buttons)
        n = getattr(post, "comment_count", 0) or 0
        post.comment_label = ngettext("%(counter)s comment", "%(counter)s comments", n) % {
            "counter": n
        }
        if post.requires_ack:
            n = getattr(post, "ack_count", 0) or 0
            post.ack_label = ngettext(
                "%(counter)s acknowledgement", "%(counter)s acknowledgements", n
            ) % {"counter": n}


def home_feed(
    actor, *, feed_filter=FeedFilter.ALL, topic: Topic | None = None, cursor=None, limit=PAGE_SIZE
) -> FeedPage:
    """Posts from my groups, my department, people and topics I follow, and announcements."""
    where, params = home_feed_sql(actor, "q", feed_filter, topic)
    return _visible_page(actor, where, params, cursor, limit)


def home_feed_posts(actor, feed_filter=FeedFilter.ALL, topic: Topic | None = None):
    """The home feed's posts, assembled on read, as a queryset (bench/stream/inbox.py
    compares this with a materialised inbox: assembling won, see docs/stream.md)."""
    where, params = home_feed_sql(actor, Post._meta.db_table, feed_filter, topic)
    return access.visible_posts(actor).filter(RawSQL(where, params, BooleanField()))  # noqa: S611


def home_feed_sql(actor, alias: str, feed_filter=FeedFilter.ALL, topic=None) -> tuple[str, list]:
    """Which posts the home feed (or its filter) gathers, as a condition on stream_post
    AS alias; who may see them is visible_posts' to add."""
    post, links = f"{alias}.id", Post.topics.through._meta.db_table
    if feed_filter == FeedFilter.GROUPS:
        return statements.sql_in(f"{alias}.group_id", sorted(member_group_ids(actor)))
    if feed_filter == FeedFilter.MENTIONS:
        mentions = Post.mentions.through._meta.db_table
        sql = f"EXISTS (SELECT 1 FROM {mentions} m WHERE m.post_id = {post} AND m.user_id = %s)"  # noqa: S608
        return sql, [actor.pk]
    if feed_filter == FeedFilter.TOPIC and topic is not None:
        sql = f"EXISTS (SELECT 1 FROM {links} pt WHERE pt.post_id = {post} AND pt.topic_id = %s)"  # noqa: S608
        return sql, [topic.pk]
    groups, group_params = statements.sql_in(f"{alias}.group_id", sorted(member_group_ids(actor)))
    departments, department_params = statements.sql_in(
        f"{alias}.department_id", access.department_scope_ids(actor)
    )
    follows, topic_follows = Follow._meta.db_table, TopicFollow._meta.db_table
    # The models' tables; every value is a parameter.
    sql = (
        f"({groups} OR ({alias}.visibility = %s AND {departments}) OR {alias}.author_id = %s "  # noqa: S608
        f"OR {alias}.author_id IN (SELECT f.followed_id FROM {follows} f WHERE f.follower_id = %s) "
        f"OR ({alias}.is_announcement = %s AND {alias}.visibility = %s) "
        f"OR EXISTS (SELECT 1 FROM {links} pt JOIN {topic_follows} tf ON tf.topic_id = pt.topic_id "
        f"WHERE pt.post_id = {post} AND tf.agent_id = %s))"
    )
    params = [
        *group_params,
        Visibility.DEPARTMENT.value,
        *department_params,
        actor.pk,
        actor.pk,
        True,
        Visibility.ORGANISATION.value,
        actor.pk,
    ]
    return sql, params


def group_feed(actor, group, *, cursor=None, limit=PAGE_SIZE) -> FeedPage:
    feed = _visible_page(actor, "q.group_id = %s", [group.pk], cursor, limit)
    return with_document_activity(actor, group, feed, cursor)


def with_document_activity(actor, group, feed: FeedPage, cursor=None) -> FeedPage:
    """The group's document uploads (one entry per batch) in the time span of this page:
    after its last post when more pages follow, before the previous page's last post
    (read in the same query, as a subquery on the cursor's post)."""
    cursor = parse_cursor(cursor)
    until = Subquery(Post.objects.filter(pk=cursor).values("created_at")[:1]) if cursor else None
    since = feed.posts[-1].created_at if feed.next_cursor and feed.posts else None
    feed.activity = document_batches(actor, group, since=since, until=until)
    return feed


def group_feed_with_pinned(
    actor, group, *, cursor=None, limit=PAGE_SIZE
) -> tuple[FeedPage, list[Post]]:
    """The group's page of posts and its pinned posts (at most 5), decorated together."""
    pinned = []
    visible = access.visible_posts_sql(actor, "q")
    if visible is not None:
        pinned = statements.posts_where(
            f"{visible[0]} AND q.group_id = %s", [*visible[1], group.pk], limit=5, pinned=True
        )
    feed = _visible_page(actor, "q.group_id = %s", [group.pk], cursor, limit, also=pinned)
    return with_document_activity(actor, group, feed, cursor), pinned


def topic_feed(actor, topic: Topic, *, cursor=None, limit=PAGE_SIZE) -> FeedPage:
    links = Post.topics.through._meta.db_table
    where = f"EXISTS (SELECT 1 FROM {links} pt WHERE pt.post_id = q.id AND pt.topic_id = %s)"  # noqa: S608
    return _visible_page(actor, where, [topic.pk], cursor, limit)


def profile_activity(actor, agent, *, cursor=None, limit=PAGE_SIZE) -> FeedPage:
    return _visible_page(actor, "q.author_id = %s", [agent.pk], cursor, limit)


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
    cards_attach(actor, comments)
    for comment in comments:
        parent = by_id.get(comment.parent_id)
        (parent.reply_list if parent else top).append(comment)
    return top


def acknowledgement_state(actor, post: Post) -> tuple[int, bool]:
    acks = Acknowledgement.objects.filter(post=post)
    return acks.count(), acks.filter(agent_id=actor.pk).exists()


def is_following(actor, agent) -> bool:
    return Follow.objects.filter(follower_id=actor.pk, followed_id=agent.pk).exists()


def department_activity(actor, department, *, limit: int = 5) -> FeedPage:
    """The department's recent public activity: the latest posts of its agents (and its
    sub-departments') to the whole organisation or in open groups, that actor may see."""
    posts = (
        access.visible_posts(actor)
        .filter(author__department__path__startswith=department.path)
        .filter(
            Q(visibility=Visibility.ORGANISATION)
            | Q(visibility=Visibility.GROUP, group__policy=Group.Policy.OPEN)
        )
    )
    return FeedPage(posts_page(actor, posts, None, limit).posts, None)


def follows_nothing(actor) -> bool:
    """True for an agent who follows no colleague, no #topic and is in no group yet."""
    return not (
        member_group_ids(actor)
        or Follow.objects.filter(follower_id=actor.pk).exists()
        or TopicFollow.objects.filter(agent_id=actor.pk).exists()
    )


def popular_posts(actor, *, limit: int = 5, exclude=()) -> FeedPage:
    """Posts to the whole organisation from the last weeks with the most reactions and
    comments: what to read when one follows nothing yet."""
    since = timezone.now() - timedelta(days=POPULAR_DAYS)
    posts = (
        access.visible_posts(actor)
        .filter(visibility=Visibility.ORGANISATION, created_at__gte=since)
        .exclude(pk__in=list(exclude))
        .annotate(
            popularity=_count_per_post(Reaction.objects.filter(post=OuterRef("pk")))
            + _count_per_post(Comment.objects.filter(post=OuterRef("pk"), deleted_at__isnull=True))
        )
        .filter(popularity__gt=0)
        .order_by("-popularity", "-pk")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(posts)
    if not ids:
        return FeedPage([], None)
    page = posts_page(actor, Post.objects.filter(pk__in=ids), None, limit)
    rank = {pk: n for n, pk in enumerate(ids)}
    page.posts.sort(key=lambda post: rank[post.pk])
    return page


def popular_topics(actor, *, limit: int = 8) -> list[Topic]:
    """The #topics most followed, that actor may see and does not follow yet."""
    followed = TopicFollow.objects.filter(agent_id=actor.pk).values("topic_id")
    return list(
        visible_topics(actor)
        .exclude(pk__in=followed)
        .annotate(follower_count=Count("follows", distinct=True))
        .filter(follower_count__gt=0)
        .order_by("-follower_count", "key")[:limit]
    )
