"""Who may see and do what in the stream. The only place that decides it.

A live post (not deleted, not hidden by a moderator) is visible to an active agent when:
- it is for the whole organisation;
- it is for a department that is the agent's own department or one above it;
- it is in a group whose content the agent may read (groups.access: members, or anyone
  for open groups; staff everywhere);
- it is their own post outside groups (leaving a group ends access to its posts,
  one's own included).
Comments and reactions follow their post. Invisible = 404, like missing.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from intranet.groups import access as group_access
from intranet.groups.models import Group
from intranet.stream.models import Comment, Post, TaggedPost, Visibility
from intranet.stream.statements import sql_in


def department_scope_ids(actor) -> list[int]:
    """The agent's department and every department above it."""
    department = getattr(actor, "department", None)
    if department is None:
        return []
    return [int(part) for part in department.path.split("/") if part]


def visible_posts_q(actor) -> Q:
    q = Q(visibility=Visibility.ORGANISATION)
    q |= Q(visibility=Visibility.DEPARTMENT, department_id__in=department_scope_ids(actor))
    q |= Q(visibility=Visibility.GROUP) & group_access.readable_group_ids_q(actor)
    q |= Q(author_id=actor.pk) & ~Q(visibility=Visibility.GROUP)
    return q


def visible_posts(actor, *, include_removed: bool = False) -> QuerySet[Post]:
    if not group_access.is_active_agent(actor):
        return Post.objects.none()
    posts = Post.objects.all()
    if not include_removed:
        posts = posts.filter(deleted_at__isnull=True, hidden_at__isnull=True)
    if actor.is_staff:
        return posts
    return posts.filter(visible_posts_q(actor))


def visible_posts_sql(actor, alias: str) -> tuple[str, list] | None:
    """visible_posts(actor) as a condition on stream_post AS alias: (SQL, params), or
    None when actor sees no post. For the feeds' statements (stream.statements), whose
    ORM compilation cost more than their execution. The same rule as visible_posts_q,
    written once more: tests/stream/test_feed_statements.py holds the two equal."""
    if not group_access.is_active_agent(actor):
        return None
    live = f"{alias}.deleted_at IS NULL AND {alias}.hidden_at IS NULL"
    if actor.is_staff:
        return live, []
    departments, department_params = sql_in(f"{alias}.department_id", department_scope_ids(actor))
    groups, group_params = sql_in(f"{alias}.group_id", sorted(group_access.member_group_ids(actor)))
    open_group = (
        f"EXISTS (SELECT 1 FROM {Group._meta.db_table} og "  # noqa: S608 - a model's table
        f"WHERE og.id = {alias}.group_id AND og.policy = %s)"
    )
    sql = (
        f"{live} AND ({alias}.visibility = %s "
        f"OR ({alias}.visibility = %s AND {departments}) "
        f"OR ({alias}.visibility = %s AND ({groups} OR {open_group})) "
        f"OR ({alias}.author_id = %s AND {alias}.visibility <> %s))"
    )
    params = [
        Visibility.ORGANISATION.value,
        Visibility.DEPARTMENT.value,
        *department_params,
        Visibility.GROUP.value,
        *group_params,
        Group.Policy.OPEN.value,
        actor.pk,
        Visibility.GROUP.value,
    ]
    return sql, params


def visible_tagged_posts(actor) -> QuerySet[TaggedPost]:
    """(post, #topic) rows of the live posts actor may see: visible_posts' rule, read on
    the copy of each post's audience that TaggedPost keeps (same field names)."""
    if not group_access.is_active_agent(actor):
        return TaggedPost.objects.none()
    rows = TaggedPost.objects.filter(is_live=True)
    if actor.is_staff:
        return rows
    return rows.filter(visible_posts_q(actor))


def can_see_post(actor, post: Post) -> bool:
    if not group_access.is_active_agent(actor) or not post.is_live:
        return False
    if actor.is_staff:
        return True
    if post.visibility == Visibility.ORGANISATION:
        return True
    if post.visibility == Visibility.DEPARTMENT:
        return post.author_id == actor.pk or post.department_id in department_scope_ids(actor)
    return group_access.can_read_group_content(actor, post.group)


def can_moderate_post(actor, post: Post) -> bool:
    if not group_access.is_active_agent(actor):
        return False
    if actor.is_staff:
        return True
    return post.group_id is not None and group_access.can_moderate_group(actor, post.group)


def _writable_place(post: Post) -> bool:
    return post.group_id is None or not post.group.is_archived


def can_edit_post(actor, post: Post) -> bool:
    return (
        can_see_post(actor, post)
        and post.author_id == actor.pk
        and _writable_place(post)
        and post.shared_from_id is None
    )


def can_delete_post(actor, post: Post) -> bool:
    return (
        can_see_post(actor, post)
        and (post.author_id == actor.pk or can_moderate_post(actor, post))
        and _writable_place(post)
    )


def can_comment_post(actor, post: Post) -> bool:
    if not can_see_post(actor, post) or not _writable_place(post):
        return False
    if post.group_id is not None:
        return group_access.is_member(actor, post.group) or actor.is_staff
    return True


def can_react_post(actor, post: Post) -> bool:
    return can_see_post(actor, post) and _writable_place(post)


def can_pin_post(actor, post: Post) -> bool:
    return post.group_id is not None and can_moderate_post(actor, post) and _writable_place(post)


def access_post(actor, post_id, *, for_write: bool = False, include_removed: bool = False) -> Post:
    """The post if actor may see it (404 otherwise); for_write: its author (403 otherwise).

    include_removed lets moderators reach deleted or hidden posts to restore them.
    """
    try:
        pk = int(post_id)
    except (TypeError, ValueError):
        raise Http404 from None
    post = (
        Post.objects.select_related("author", "group", "department", "shared_from")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        raise Http404
    if not post.is_live:
        if not (include_removed and _can_see_removed(actor, post)):
            raise Http404
    elif not can_see_post(actor, post):
        raise Http404
    if for_write and not can_edit_post(actor, post):
        raise PermissionDenied
    return post


def _can_see_removed(actor, post: Post) -> bool:
    """Moderators of the place see removed posts (to restore them); nobody else does."""
    if not group_access.is_active_agent(actor):
        return False
    if post.group_id is not None and not group_access.can_see_group(actor, post.group):
        return False
    return can_moderate_post(actor, post)


def visible_comments(actor) -> QuerySet[Comment]:
    if not group_access.is_active_agent(actor):
        return Comment.objects.none()
    comments = Comment.objects.filter(deleted_at__isnull=True, hidden_at__isnull=True)
    return comments.filter(post__in=visible_posts(actor))


def access_comment(actor, comment_id, *, for_write: bool = False) -> Comment:
    try:
        pk = int(comment_id)
    except (TypeError, ValueError):
        raise Http404 from None
    comment = (
        Comment.objects.select_related("post__group", "post__author", "author")
        .filter(pk=pk, deleted_at__isnull=True, hidden_at__isnull=True)
        .first()
    )
    if comment is None or not can_see_post(actor, comment.post):
        raise Http404
    if for_write and comment.author_id != actor.pk:
        raise PermissionDenied
    return comment


def can_delete_comment(actor, comment: Comment) -> bool:
    return comment.author_id == actor.pk or can_moderate_post(actor, comment.post)
