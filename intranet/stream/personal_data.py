"""The stream's personal data: an agent's posts, comments, reactions, follows and
acknowledgements (intranet.accounts.personal_data). Only what the agent wrote or did:
the comments of others under their posts stay out of their export."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.search.services import search_index_many_later
from intranet.stream.models import Acknowledgement, Comment, Follow, Post, Reaction

BATCH = 2000


def _posts(agent):
    posts = Post.objects.filter(author=agent).order_by("pk")
    for post in posts.values(
        "pk", "created_at", "edited_at", "deleted_at", "visibility", "group__name", "body",
        "image", "is_announcement",
    ).iterator(chunk_size=BATCH):  # fmt: skip
        post["group"] = post.pop("group__name")
        yield post


def _export(agent, archive) -> None:
    archive.write_json("posts.json", _posts(agent))
    archive.write_json(
        "comments.json",
        Comment.objects.filter(author=agent)
        .order_by("pk")
        .values("pk", "post_id", "parent_id", "created_at", "edited_at", "deleted_at", "body")
        .iterator(chunk_size=BATCH),
    )
    archive.write_json(
        "reactions.json",
        Reaction.objects.filter(agent=agent)
        .order_by("pk")
        .values("kind", "post_id", "comment_id", "created_at")
        .iterator(chunk_size=BATCH),
    )
    archive.write_json(
        "following.json",
        Follow.objects.filter(follower=agent).values("followed__username", "created_at"),
    )
    archive.write_json(
        "acknowledgements.json",
        Acknowledgement.objects.filter(agent=agent).values("post_id", "created_at"),
    )
    with_image = Post.objects.filter(author=agent).exclude(image="").only("pk", "image")
    for post in with_image.iterator(chunk_size=BATCH):
        archive.write_file(f"images/{post.pk}-{post.image.name.rsplit('/', 1)[-1]}", post.image)


def _count(agent) -> int:
    posts = Post.objects.filter(author=agent, deleted_at__isnull=True).count()
    comments = Comment.objects.filter(author=agent, deleted_at__isnull=True).count()
    return posts + comments + Reaction.objects.filter(agent=agent).count()


def _anonymise(agent) -> None:
    """Content stays; the index is refreshed so it shows the new name, follows go."""
    Follow.objects.filter(Q(follower=agent) | Q(followed=agent)).delete()
    search_index_many_later("post", Post.objects.filter(author=agent).values_list("pk", flat=True))
    search_index_many_later(
        "comment", Comment.objects.filter(author=agent).values_list("pk", flat=True)
    )


def _erase(agent) -> None:
    """The posts and comments are emptied and marked deleted (threads keep their shape),
    their images removed; reactions and acknowledgements deleted."""
    now = timezone.now()
    posts = Post.objects.filter(author=agent)
    images = list(posts.exclude(image="").values_list("image", flat=True))
    storage = Post._meta.get_field("image").storage
    posts.update(body="", body_html="", image="", deleted_at=now)
    Post.revisions.rel.related_model.objects.filter(post__author=agent).delete()
    Comment.objects.filter(author=agent).update(body="", body_html="", deleted_at=now)
    Reaction.objects.filter(agent=agent).delete()
    Acknowledgement.objects.filter(agent=agent).delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in images])


provider_register(
    Provider(
        name="stream",
        label=_("posts, comments and reactions"),
        export=_export,
        count=_count,
        anonymise=_anonymise,
        erase=_erase,
    )
)
