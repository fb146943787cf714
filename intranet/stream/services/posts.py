"""Writing, editing, deleting, pinning, sharing and acknowledging posts."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.models import User
from intranet.core import text
from intranet.core.images import checked_alt_text, fitted_jpeg
from intranet.groups import access as group_access
from intranet.groups.models import Group
from intranet.moderation.charter import charter_require
from intranet.notifications.models import Kind
from intranet.notifications.services import notify, notify_many
from intranet.search.services import search_index_later
from intranet.stream import access, events
from intranet.stream.models import Acknowledgement, Post, PostRevision, Visibility
from intranet.stream.services.tagging import tagged_post_set_live, tagged_post_sync
from intranet.stream.services.text import render_post_body


def clean_body(body: str) -> str:
    return text.clean_body(body, empty_message=_("Write something before publishing."))


def stored_image(upload) -> str:
    content = fitted_jpeg(upload, folder="posts")
    return default_storage.save(content.name, content)


def delete_stored_file(name: str) -> None:
    if name:
        default_storage.delete(name)


def _can_announce(actor, group: Group | None) -> bool:
    if actor.is_staff:
        return True
    return group is not None and group_access.can_moderate_group(actor, group)


def _audience(post: Post):
    """Active agents who can see post, for announcements asking acknowledgement."""
    agents = User.objects.filter(is_active=True)
    if post.visibility == Visibility.GROUP:
        return agents.filter(memberships__group_id=post.group_id)
    if post.visibility == Visibility.DEPARTMENT:
        return agents.filter(department__path__startswith=post.department.path)
    return agents


def _notify_new_post(post: Post, mentioned) -> None:
    for agent in mentioned:
        if access.can_see_post(agent, post):
            notify(agent, Kind.MENTION, actor=post.author, post=post, group=post.group)
    if post.requires_ack:
        notify_many(_audience(post), Kind.ANNOUNCEMENT, actor=post.author, post=post)
    elif post.group_id:
        followers = User.objects.filter(
            is_active=True, memberships__group_id=post.group_id, memberships__notify_posts=True
        ).exclude(pk__in=[a.pk for a in mentioned])
        notify_many(followers, Kind.GROUP_POST, actor=post.author, post=post, group=post.group)


@transaction.atomic
def post_create(
    actor,
    *,
    body: str,
    visibility: str,
    group: Group | None = None,
    image=None,
    image_alt: str = "",
    image_decorative: bool = False,
    is_announcement: bool = False,
    requires_ack: bool = False,
    idempotency_key: str = "",
) -> Post:
    """Publish a post; the same idempotency key from the same author gives the same post."""
    if not group_access.is_active_agent(actor):
        raise PermissionDenied
    charter_require(actor)
    key = (idempotency_key or "")[:64]
    if key:
        existing = Post.objects.filter(author=actor, idempotency_key=key).first()
        if existing is not None:
            return existing
    body = clean_body(body)
    visibility = Visibility(visibility)
    department = None
    if visibility == Visibility.GROUP:
        if group is None or not group_access.can_post_in_group(actor, group):
            raise PermissionDenied
    else:
        group = None
        if visibility == Visibility.DEPARTMENT:
            department = actor.department
            if department is None:
                raise ValidationError(_("You have no department: choose another audience."))
    if (is_announcement or requires_ack) and not _can_announce(actor, group):
        raise PermissionDenied
    if image is not None:
        image_alt = checked_alt_text(image_alt, decorative=image_decorative)
    else:
        image_alt, image_decorative = "", False
    html, mentioned, topics = render_post_body(actor, body)
    image_name = stored_image(image) if image is not None else ""
    try:
        with transaction.atomic():
            post = Post.objects.create(
                author=actor,
                visibility=visibility,
                group=group,
                department=department,
                body=body,
                body_html=html,
                is_announcement=is_announcement or requires_ack,
                requires_ack=requires_ack,
                idempotency_key=key,
                image=image_name,
                image_alt=image_alt,
                image_decorative=image_decorative,
            )
            post.topics.set(topics)
            tagged_post_sync(post)
            post.mentions.set(mentioned)
            search_index_later(post)
            _notify_new_post(post, mentioned)
    except IntegrityError:
        delete_stored_file(image_name)
        # A concurrent retry with the same key won the race: return its post.
        existing = Post.objects.filter(author=actor, idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return existing
    except BaseException:
        # The rows are rolled back: the image stored for them must not stay behind.
        delete_stored_file(image_name)
        raise
    transaction.on_commit(partial(events.post_published, post.pk, post.group_id, post.visibility))
    return post


@transaction.atomic
def post_edit(actor, post_id, *, body: str) -> Post:
    post = access.access_post(actor, post_id, for_write=True)
    body = clean_body(body)
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=actor)
    before = set(post.mentions.values_list("pk", flat=True))
    html, mentioned, topics = render_post_body(actor, body)
    post.body, post.body_html, post.edited_at = body, html, timezone.now()
    post.save(update_fields=["body", "body_html", "edited_at"])
    post.topics.set(topics)
    tagged_post_sync(post)
    post.mentions.set(mentioned)
    search_index_later(post)
    for agent in mentioned:
        if agent.pk not in before and access.can_see_post(agent, post):
            notify(agent, Kind.MENTION, actor=actor, post=post, group=post.group)
    return post


@transaction.atomic
def post_delete(actor, post_id) -> Post:
    post = access.access_post(actor, post_id)
    if not access.can_delete_post(actor, post):
        raise PermissionDenied
    post.deleted_at, post.deleted_by = timezone.now(), actor
    post.save(update_fields=["deleted_at", "deleted_by"])
    tagged_post_set_live(post.pk, False)
    search_index_later(post)
    return post


@transaction.atomic
def post_restore(actor, post_id) -> Post:
    """Moderators bring back a deleted or hidden post."""
    post = access.access_post(actor, post_id, include_removed=True)
    if not access.can_moderate_post(actor, post):
        raise PermissionDenied
    post.deleted_at = post.deleted_by = post.hidden_at = None
    post.save(update_fields=["deleted_at", "deleted_by", "hidden_at"])
    tagged_post_set_live(post.pk, True)
    search_index_later(post)
    return post


@transaction.atomic
def post_pin(actor, post_id, *, pinned: bool = True) -> Post:
    post = access.access_post(actor, post_id)
    if not access.can_pin_post(actor, post):
        raise PermissionDenied
    post.pinned_at = timezone.now() if pinned else None
    post.save(update_fields=["pinned_at"])
    return post


def can_share_post(actor, post: Post) -> bool:
    """Only content everyone may already read can be shared (nothing leaks out of groups)."""
    if not access.can_see_post(actor, post) or post.shared_from_id:
        return False
    return post.visibility == Visibility.ORGANISATION or (
        post.group_id is not None and post.group.policy == Group.Policy.OPEN
    )


@transaction.atomic
def post_share(actor, post_id, *, group: Group, body: str = "", idempotency_key: str = "") -> Post:
    original = access.access_post(actor, post_id)
    if not can_share_post(actor, original):
        raise PermissionDenied
    if not group_access.can_post_in_group(actor, group):
        raise PermissionDenied
    text = body.strip() or _("Shared from %(author)s") % {"author": original.author.display_name}
    shared = post_create(
        actor, body=text, visibility=Visibility.GROUP, group=group, idempotency_key=idempotency_key
    )
    if shared.shared_from_id is None:
        shared.shared_from = original
        shared.save(update_fields=["shared_from"])
    return shared


@transaction.atomic
def post_acknowledge(actor, post_id) -> Acknowledgement:
    post = access.access_post(actor, post_id)
    if not post.requires_ack:
        raise ValidationError(_("This post does not ask for an acknowledgement."))
    ack, _created = Acknowledgement.objects.get_or_create(post=post, agent=actor)
    return ack
