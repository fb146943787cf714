"""Keeping TaggedPost (a post's #topics with its audience) in step with posts.

Called by the stream services that change a post's topics or live state, in their
transaction; a post's author and audience never change after publication.
"""

from django.db import connection

from intranet.stream.models import Post, TaggedPost


def tagged_post_sync(post: Post) -> None:
    """Rewrite post's rows from its current topics and live state."""
    TaggedPost.objects.filter(post_id=post.pk).delete()
    TaggedPost.objects.bulk_create(
        TaggedPost(
            post_id=post.pk,
            topic_id=topic_id,
            author_id=post.author_id,
            visibility=post.visibility,
            group_id=post.group_id,
            department_id=post.department_id,
            is_live=post.is_live,
        )
        for topic_id in post.topics.values_list("pk", flat=True)
    )


def tagged_post_set_live(post_id: int, live: bool) -> None:
    """A post was deleted, hidden or restored: its topics count again, or no longer."""
    TaggedPost.objects.filter(post_id=post_id).update(is_live=live)


def tagged_posts_rebuild() -> int:
    """Every row again from the posts' topic links (bulk loaders that write links directly,
    like the benchmarks' generators). Returns the number of rows."""
    TaggedPost.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO stream_taggedpost (post_id, topic_id, author_id, visibility, group_id,"
            " department_id, is_live)"
            " SELECT link.post_id, link.topic_id, post.author_id, post.visibility, post.group_id,"
            " post.department_id, (post.deleted_at IS NULL AND post.hidden_at IS NULL)"
            " FROM stream_post_topics AS link JOIN stream_post AS post ON post.id = link.post_id"
        )
        return cursor.rowcount
