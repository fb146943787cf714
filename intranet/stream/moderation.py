"""Posts and comments as reportable content (intranet.moderation.reportables)."""

from django.urls import reverse

from intranet.moderation.reportables import Reportable, reportable_register
from intranet.stream.access import access_comment, access_post
from intranet.stream.services.tagging import tagged_post_set_live


def _post_visibility_changed(post, visible: bool) -> None:
    # A hidden post's topics no longer count; restored, they count again unless deleted.
    tagged_post_set_live(post.pk, visible and post.deleted_at is None)


reportable_register(
    Reportable(
        field="post",
        access=access_post,
        group_id=lambda post: post.group_id,
        url=lambda post: reverse("stream:post-detail", args=[post.pk]),
        visibility_changed=_post_visibility_changed,
    )
)
reportable_register(
    Reportable(
        field="comment",
        access=access_comment,
        group_id=lambda comment: comment.post.group_id,
        url=lambda comment: (
            reverse("stream:post-detail", args=[comment.post_id]) + f"#comment-{comment.pk}"
        ),
    )
)
