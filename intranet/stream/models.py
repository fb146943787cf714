"""Posts and what hangs on them.

A post is written in one group (visibility GROUP) or outside groups for the author's
department (DEPARTMENT, stored with that department) or the whole organisation
(ORGANISATION). Deleting is soft (moderators can restore); editing keeps revisions.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intranet.core.text import MAX_BODY


class Visibility(models.TextChoices):
    GROUP = "group", _("the group only")
    DEPARTMENT = "department", _("my department")
    ORGANISATION = "organisation", _("the whole organisation")


class ReactionKind(models.TextChoices):
    LIKE = "like", _("I like")
    THANKS = "thanks", _("Thank you")
    IDEA = "idea", _("Good idea")
    AGREE = "agree", _("I agree")
    CELEBRATE = "celebrate", _("Bravo")


REACTION_SYMBOLS = {"like": "👍", "thanks": "🙏", "idea": "💡", "agree": "✅", "celebrate": "🎉"}


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    department = models.ForeignKey(
        "departments.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=MAX_BODY)
    body_html = models.TextField(editable=False)
    image = models.ImageField(upload_to="posts/", blank=True)
    # The author's description of the image (its alt text); blank with image_decorative.
    image_alt = models.CharField(max_length=1000, blank=True, default="")
    image_decorative = models.BooleanField(default=False)
    shared_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="shares"
    )
    is_announcement = models.BooleanField(default=False)
    requires_ack = models.BooleanField(default=False)
    topics = models.ManyToManyField("topics.Topic", blank=True, related_name="posts")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    pinned_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(visibility="group") & Q(group__isnull=False))
                | (~Q(visibility="group") & Q(group__isnull=True)),
                name="stream_post_group_iff_group_visibility",
            ),
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="stream_post_idempotent",
            ),
        ]
        indexes = [
            # Feeds page by id (a cursor, never OFFSET): ids grow with time.
            models.Index(fields=["group", "-id"], name="stream_post_group_recent"),
            models.Index(fields=["author", "-id"], name="stream_post_author_recent"),
            models.Index(fields=["visibility", "department", "-id"], name="stream_post_vis_recent"),
            models.Index(
                fields=["group", "-pinned_at"],
                condition=Q(pinned_at__isnull=False),
                name="stream_post_pinned",
            ),
            # The dashboards' daily run reads one day (docs/dashboards.md, Performance).
            models.Index(fields=["created_at"], name="stream_post_created"),
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class TaggedPost(models.Model):
    """One row per (post, #topic), with a copy of the post's author, audience and live state.

    "Who wrote on #rgpd, among the posts I may see" then reads one narrow index instead of
    joining every topic link to the posts table. Only stream services write it
    (services/tagging.py), next to each change of a post's topics or live state; audience
    and author never change after publication. Readers filter it through
    access.visible_tagged_posts, which applies the same rule as visible_posts.
    """

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey("topics.Topic", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    visibility = models.CharField(max_length=12, choices=Visibility.choices)
    group = models.ForeignKey(
        "groups.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    department = models.ForeignKey(
        "departments.Department", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_live = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "topic"], name="stream_tagged_post_once"),
        ]
        indexes = [
            # Counting a topic's visible posts per author reads this index only (PostgreSQL).
            models.Index(
                fields=["topic", "author"],
                include=["visibility", "group", "department", "post"],
                condition=Q(is_live=True),
                name="stream_tagged_live",
            ),
        ]


class PostRevision(models.Model):
    """The text of a post before an edit, kept for moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)


class Comment(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    body = models.TextField(max_length=MAX_BODY)
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["post", "id"]),
            models.Index(fields=["created_at"], name="stream_comment_created"),  # dashboards
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="stream_comment_idempotent",
            ),
        ]

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class Reaction(models.Model):
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, null=True, on_delete=models.CASCADE, related_name="reactions")
    comment = models.ForeignKey(
        Comment, null=True, on_delete=models.CASCADE, related_name="reactions"
    )
    kind = models.CharField(max_length=10, choices=ReactionKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="stream_reaction_one_target",
            ),
            models.UniqueConstraint(
                fields=["agent", "post", "kind"],
                condition=Q(post__isnull=False),
                name="stream_reaction_once_per_post",
            ),
            models.UniqueConstraint(
                fields=["agent", "comment", "kind"],
                condition=Q(comment__isnull=False),
                name="stream_reaction_once_per_comment",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="stream_reaction_created")
        ]  # dashboards


class Follow(models.Model):
    """One-way follow of a colleague (like Elgg's friends)."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following"
    )
    followed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="stream_follow_once"),
            models.CheckConstraint(
                condition=~Q(follower=models.F("followed")), name="stream_no_self_follow"
            ),
        ]


class Acknowledgement(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="acknowledgements")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "agent"], name="stream_ack_once"),
        ]
