"""Reads of notifications, always re-checked against the access model.

A notification is shown (in the list, the unread count, e-mails and digests) only while
its recipient may still see what it points to: a post that became invisible, a group
they were removed from or that turned secret makes it disappear everywhere.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from intranet.core.text import elide
from intranet.notifications.answers import answers_attach
from intranet.notifications.models import Kind, Notification
from intranet.notifications.targets import (
    target_for,
    targets_prefetch,
    visible_relations_q,
    visible_targets_q,
)

# The relations of a notification besides its registered target, each re-checked with the
# rule its owner app registered (intranet.notifications.targets.relation_register).
RELATIONS = ("group", "post", "comment")


def visible_notifications(actor) -> QuerySet[Notification]:
    if not (actor and actor.is_authenticated and actor.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=actor.pk).filter(
        visible_relations_q(actor, RELATIONS), visible_targets_q(actor)
    )


def unread_count(actor) -> int:
    """The header badge: notifications not yet seen in the list (nor opened).

    Computed on every page and every socket's counts. One grouped, indexed read of the
    unseen notifications says which kinds of target and which relations they point to;
    when there is none (the usual case once the list was opened) that read is the
    answer. Otherwise only those kinds' visibility rules are built and run: building and
    compiling every registered kind's rule was a fifth of a page server's CPU on the
    working-day benchmark. A notification written between the two reads, pointing to a
    kind not re-checked, is left out of the count (never counted unchecked) until the
    next page."""
    if not (actor and actor.is_authenticated and actor.is_active):
        return 0
    unseen = Notification.objects.filter(recipient_id=actor.pk, seen_at__isnull=True)
    return _checked(actor, unseen).count()


@dataclass
class NotificationItem:
    """One line of the list: reactions to the same content are grouped."""

    notification: Notification
    actors: list = field(default_factory=list)
    unread: bool = False
    answer_template: str = ""  # inline accept / decline (notifications.answers)
    answerable: object = None

    @property
    def others(self) -> int:
        return max(0, len(self.actors) - 1)

    @property
    def text(self) -> str:
        return describe(self.notification, others=self.others)

    @property
    def url(self) -> str:
        return target_url(self.notification)


def _pointed_to(notifications: QuerySet) -> tuple[set[int], tuple[str, ...]] | None:
    """What these notifications point to: the content types of their targets and the
    relations (RELATIONS) some of them fill; None when there is no notification."""
    rows = list(
        notifications.values("target_type_id")
        .annotate(**{f"n_{name}": Count(f"{name}_id") for name in RELATIONS})
        .order_by()
    )
    if not rows:
        return None
    type_ids = {row["target_type_id"] for row in rows} - {None}
    return type_ids, tuple(name for name in RELATIONS if any(row[f"n_{name}"] for row in rows))


def _checked(actor, notifications: QuerySet) -> QuerySet[Notification]:
    """notifications (actor's own) kept while actor may see what they point to,
    re-checking only the kinds of target and the relations they point to."""
    pointed = _pointed_to(notifications)
    if pointed is None:
        return Notification.objects.none()
    type_ids, relations = pointed
    unrelated = Q(**{f"{name}__isnull": True for name in RELATIONS if name not in relations})
    return notifications.filter(
        unrelated,
        visible_relations_q(actor, relations),
        visible_targets_q(actor, type_ids=type_ids),
    )


def listed_notifications(actor) -> QuerySet[Notification]:
    """visible_notifications(actor), re-checking only what actor's notifications point to.

    Building and compiling every registered kind's visibility rule was most of the list's
    CPU, while an agent's notifications point to a few kinds. A notification written
    between the two reads, pointing to a kind not re-checked here, is hidden (never
    shown unchecked) until the next visit."""
    if not (actor and actor.is_authenticated and actor.is_active):
        return Notification.objects.none()
    return _checked(actor, Notification.objects.filter(recipient_id=actor.pk))


def notification_list(actor, *, limit: int = 50) -> list[NotificationItem]:
    notifications = (
        listed_notifications(actor)
        .select_related("actor", "group", "post", "comment")
        .prefetch_related(targets_prefetch())
        .order_by("-created_at", "-pk")[: limit * 4]
    )
    items, grouped = [], {}
    for n in notifications:
        key = (n.kind, n.post_id, n.comment_id) if n.kind == Kind.REACTION else None
        item = grouped.get(key) if key else None
        if item is None:
            item = NotificationItem(n)
            items.append(item)
            if key:
                grouped[key] = item
        if n.actor is not None and n.actor not in item.actors:
            item.actors.append(n.actor)
        item.unread = item.unread or n.read_at is None
    items = items[:limit]
    answers_attach(actor, items)
    return items


def _target(n: Notification):
    """The registered target and its object, or (None, None)."""
    if not n.target_type_id:
        return None, None
    obj = n.target
    return (target_for(obj), obj) if obj is not None else (None, None)


def target_url(n: Notification) -> str:
    target, obj = _target(n)
    if target is not None:
        return target.url(obj)
    if n.comment_id:
        return reverse("stream:post-detail", args=[n.comment.post_id]) + f"#comment-{n.comment_id}"
    if n.post_id:
        return reverse("stream:post-detail", args=[n.post_id])
    if n.kind == Kind.INVITATION:
        return reverse("groups:invitation-list")
    if n.kind == Kind.MEMBERSHIP_REQUEST and n.group_id:
        return reverse("groups:group-members", args=[n.group.slug])
    if n.group_id:
        return reverse("groups:group-detail", args=[n.group.slug])
    return reverse("notifications:notification-list")


def describe(n: Notification, *, others: int = 0) -> str:
    """The sentence shown for a notification, in the active language."""
    who = n.actor.display_name if n.actor else _("Someone")
    group = n.group.name if n.group_id else ""
    target, obj = _target(n)
    label = target.label(obj) if target is not None else ""
    if n.kind == Kind.REACTION and others:
        return ngettext(
            "%(who)s and %(n)d other reacted to your content",
            "%(who)s and %(n)d others reacted to your content",
            others,
        ) % {"who": who, "n": others}
    texts = {
        Kind.MENTION: _("%(who)s mentioned you"),
        Kind.REPLY: _("%(who)s replied to you"),
        Kind.REACTION: _("%(who)s reacted to your content"),
        Kind.MEMBERSHIP_REQUEST: _("%(who)s asks to join %(group)s"),
        Kind.MEMBERSHIP_APPROVED: _("You are now a member of %(group)s"),
        Kind.MEMBERSHIP_DECLINED: _("Your request to join %(group)s was declined"),
        Kind.INVITATION: _("%(who)s invites you to join %(group)s"),
        Kind.OWNERSHIP_RECEIVED: _("You are now the owner of %(group)s"),
        Kind.GROUP_POST: _("%(who)s posted in %(group)s"),
        Kind.ANNOUNCEMENT: _("%(who)s published an announcement to acknowledge"),
        Kind.QUESTION_ROUTED: _("%(who)s asks a question you may answer: %(target)s"),
        Kind.ANSWER_RECEIVED: _("%(who)s answered your question: %(target)s"),
        Kind.ANSWER_ACCEPTED: _("%(who)s accepted your answer: %(target)s"),
        Kind.QUESTION_ESCALATED: _("A question is still waiting for an answer: %(target)s"),
        Kind.AMBASSADOR_INVITATION: _("%(who)s invites you to be an ambassador: %(target)s"),
        Kind.ENDORSEMENT_RECEIVED: _("%(who)s endorses your skill: %(target)s"),
        Kind.CHAT_MESSAGE: _("%(who)s sent you a message: %(target)s"),
        Kind.DATA_EXPORT_READY: _("The export of your data asked on %(target)s is ready"),
        Kind.EVENT_PROMOTED: _("A seat is now yours at the session: %(target)s"),
        Kind.EVENT_REMINDER: _("Reminder: the session takes place tomorrow: %(target)s"),
        Kind.EVENT_SURVEY: _("How was the session? Give your opinion: %(target)s"),
    }
    # "membre de %(group)s": French elides before a vowel ("membre d’Agents RH").
    return elide(texts[Kind(n.kind)] % {"who": who, "group": group, "target": label})
