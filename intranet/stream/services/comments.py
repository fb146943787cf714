"""Commenting (one level of replies), editing and deleting comments."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from intranet.groups import access as group_access
from intranet.moderation.charter import charter_require
from intranet.notifications.models import Kind
from intranet.notifications.services import notify
from intranet.search.services import search_index_later
from intranet.stream import access
from intranet.stream.models import Comment
from intranet.stream.services.posts import clean_body
from intranet.stream.services.text import render_post_body


@transaction.atomic
def comment_create(
    actor, post_id, *, body: str, parent_id=None, idempotency_key: str = ""
) -> Comment:
    """Comment on a post, or reply to a comment (replies to replies join the same thread)."""
    if not group_access.is_active_agent(actor):
        raise PermissionDenied
    post = access.access_post(actor, post_id)
    if not access.can_comment_post(actor, post):
        raise PermissionDenied
    charter_require(actor)
    key = (idempotency_key or "")[:64]
    if key:
        existing = Comment.objects.filter(author=actor, idempotency_key=key).first()
        if existing is not None:
            return existing
    parent = None
    if parent_id:
        parent = access.access_comment(actor, parent_id)
        if parent.post_id != post.pk:
            raise PermissionDenied
        if parent.parent_id:
            parent = parent.parent
    body = clean_body(body)
    html, mentioned, _topics = render_post_body(actor, body)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                post=post,
                parent=parent,
                author=actor,
                body=body,
                body_html=html,
                idempotency_key=key,
            )
    except IntegrityError:
        return Comment.objects.get(author=actor, idempotency_key=key)
    search_index_later(comment)
    replied_to = parent.author if parent else post.author
    notify(replied_to, Kind.REPLY, actor=actor, post=post, comment=comment, group=post.group)
    for agent in mentioned:
        if agent.pk != replied_to.pk and access.can_see_post(agent, post):
            notify(agent, Kind.MENTION, actor=actor, post=post, comment=comment, group=post.group)
    return comment


@transaction.atomic
def comment_edit(actor, comment_id, *, body: str) -> Comment:
    comment = access.access_comment(actor, comment_id, for_write=True)
    if comment.post.group_id and comment.post.group.is_archived:
        raise PermissionDenied
    body = clean_body(body)
    comment.body_html, _mentioned, _topics = render_post_body(actor, body)
    comment.body, comment.edited_at = body, timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    search_index_later(comment)
    return comment


@transaction.atomic
def comment_delete(actor, comment_id) -> Comment:
    comment = access.access_comment(actor, comment_id)
    if not access.can_delete_comment(actor, comment):
        raise PermissionDenied
    comment.deleted_at = timezone.now()
    comment.save(update_fields=["deleted_at"])
    search_index_later(comment)
    return comment
