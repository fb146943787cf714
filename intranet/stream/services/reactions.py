"""Reactions on posts and comments, following colleagues."""

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intranet.accounts.access import access_agent
from intranet.notifications.models import Kind, Notification
from intranet.notifications.services import notify
from intranet.stream import access, events
from intranet.stream.models import Follow, Reaction, ReactionKind


@transaction.atomic
def reaction_toggle(actor, *, kind: str, post_id=None, comment_id=None) -> bool:
    """Add the reaction, or take it back if actor had it. Returns True when it is now on."""
    if kind not in ReactionKind.values:
        raise ValidationError(_("Unknown reaction."))
    if comment_id is not None:
        comment = access.access_comment(actor, comment_id)
        post, target = comment.post, {"comment": comment}
        author = comment.author
    else:
        post = access.access_post(actor, post_id)
        target, author, comment = {"post": post}, post.author, None
    if not access.can_react_post(actor, post):
        raise PermissionDenied
    deleted, _rows = Reaction.objects.filter(agent=actor, kind=kind, **target).delete()
    transaction.on_commit(
        partial(events.reactions_changed, post.pk, post.group_id, post.visibility)
    )
    if deleted:
        # A reaction taken back no longer counts in the author's unread "X and N others".
        Notification.objects.filter(
            kind=Kind.REACTION, actor=actor, read_at__isnull=True, post=post, comment=comment
        ).delete()
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(agent=actor, kind=kind, **target)
    except IntegrityError:
        return True  # a double click raced us: the reaction is there
    notify(author, Kind.REACTION, actor=actor, post=post, comment=comment, group=post.group)
    return True


@transaction.atomic
def agent_follow(actor, username: str) -> Follow:
    agent = access_agent(actor, username)
    if agent.pk == actor.pk:
        raise ValidationError(_("You cannot follow yourself."))
    follow, _created = Follow.objects.get_or_create(follower=actor, followed=agent)
    return follow


@transaction.atomic
def agent_unfollow(actor, username: str) -> None:
    agent = access_agent(actor, username)
    Follow.objects.filter(follower=actor, followed=agent).delete()
