"""Writes on notifications: creating them (with the recipient's delivery choice), reading.

The row is written in the caller's transaction; e-mail at once is queued after commit
through the tasks framework, so a rolled-back action notifies nobody.
"""

from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from intranet.notifications import events
from intranet.notifications.models import DEFAULT_CHANNELS, Channel, Kind, Notification, Preference


def channel_for(agent, kind: str) -> str:
    preference = Preference.objects.filter(agent=agent, kind=kind).values_list("channel", flat=True)
    return preference.first() or DEFAULT_CHANNELS[Kind(kind)]


def _target_fields(target) -> dict:
    """target_type and target_id for a registered target (intranet.notifications.targets)."""
    if target is None:
        return {}
    from intranet.notifications.targets import target_for

    if target_for(target) is None:
        raise LookupError(f"{type(target).__name__} is not a registered notification target")
    return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}


def notify(recipient, kind: str, *, actor=None, group=None, post=None, comment=None, target=None):
    """Notify recipient, unless they are the actor, inactive, or turned this kind off.

    target: any object of a registered target type (see intranet.notifications.targets).
    """
    if recipient is None or not recipient.is_active:
        return None
    if actor is not None and actor.pk == recipient.pk:
        return None
    channel = channel_for(recipient, kind)
    if channel == Channel.OFF:
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor=actor,
        group=group,
        post=post,
        comment=comment,
        channel=channel,
        **_target_fields(target),
    )
    if channel == Channel.EMAIL:
        from intranet.notifications.tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.enqueue(notification.pk))
    transaction.on_commit(partial(events.notifications_changed, recipient.pk))
    return notification


def notify_many(
    recipients, kind: str, *, actor=None, group=None, post=None, comment=None, target=None
) -> int:
    """Notify many agents at once (announcements, group posts): bulk, preferences respected."""
    target_fields = _target_fields(target)
    recipients = recipients.filter(is_active=True)
    if actor is not None:
        recipients = recipients.exclude(pk=actor.pk)
    ids = list(recipients.values_list("pk", flat=True).distinct())
    chosen = dict(
        Preference.objects.filter(agent_id__in=ids, kind=kind).values_list("agent_id", "channel")
    )
    default = DEFAULT_CHANNELS[Kind(kind)]
    rows = [
        Notification(
            recipient_id=pk,
            kind=kind,
            actor=actor,
            group=group,
            post=post,
            comment=comment,
            channel=chosen.get(pk, default),
            **target_fields,
        )
        for pk in ids
        if chosen.get(pk, default) != Channel.OFF
    ]
    Notification.objects.bulk_create(rows, batch_size=1000)
    emails = [n.pk for n in rows if n.channel == Channel.EMAIL and n.pk]
    if emails:
        from intranet.notifications.tasks import send_notification_email

        transaction.on_commit(lambda: [send_notification_email.enqueue(pk) for pk in emails])
    notified = [n.recipient_id for n in rows]
    transaction.on_commit(lambda: [events.notifications_changed(pk) for pk in notified])
    return len(rows)


@transaction.atomic
def preferences_set(actor, choices: dict[str, str]) -> None:
    for kind, channel in choices.items():
        Preference.objects.update_or_create(
            agent=actor, kind=Kind(kind), defaults={"channel": Channel(channel)}
        )


@transaction.atomic
def notifications_mark_read(actor, *, ids=None) -> int:
    unread = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    transaction.on_commit(partial(events.notifications_changed, actor.pk))
    now = timezone.now()
    unread.filter(seen_at__isnull=True).update(seen_at=now)
    return unread.update(read_at=now)


@transaction.atomic
def notifications_mark_seen(actor) -> int:
    """actor has seen their notification list: the header badge goes back to zero (each
    notification stays unread, highlighted in the list, until opened)."""
    unseen = Notification.objects.filter(recipient=actor, seen_at__isnull=True)
    count = unseen.update(seen_at=timezone.now())
    if count:
        transaction.on_commit(partial(events.notifications_changed, actor.pk))
    return count
