"""Background jobs: e-mail at once and the daily digest, through the tasks framework.

Both re-check visibility when they run, not when the notification was created, and are
written in each recipient's language (their choice on the language switch, else the site's).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from intranet.core.branding import current_branding
from intranet.core.worker import rerun_if_lost
from intranet.notifications.models import Channel, Notification
from intranet.notifications.selectors import describe, target_url, visible_notifications
from intranet.notifications.targets import targets_prefetch

logger = logging.getLogger(__name__)


def _site_url() -> str:
    return getattr(settings, "TRANSVERSE_SITE_URL", "").rstrip("/")


@task()
@rerun_if_lost
def send_notification_email(notification_id: int) -> bool:
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.emailed_at is not None:
        return False
    recipient = notification.recipient
    if (
        not recipient.email
        or not visible_notifications(recipient).filter(pk=notification_id).exists()
    ):
        return False
    with translation.override(recipient.preferred_language):
        text = describe(notification)
        body = render_to_string(
            "notifications/email_single.txt",
            {
                "recipient": recipient,
                "text": text,
                "url": _site_url() + target_url(notification),
                "branding": current_branding(),
            },
        )
        send_mail(f"[{current_branding().name}] {text}", body, None, [recipient.email])
    Notification.objects.filter(pk=notification_id).update(emailed_at=timezone.now())
    return True


def digest_for(agent, *, since) -> list[Notification]:
    return list(
        visible_notifications(agent)
        .filter(channel=Channel.DIGEST, emailed_at__isnull=True, created_at__gte=since)
        .select_related("actor", "group", "post", "comment")
        .prefetch_related(targets_prefetch())
        .order_by("created_at")
    )


def next_digest_time(now):
    """Tomorrow (or today, if still ahead) at TRANSVERSE_DIGEST_HOUR, local time."""
    local = timezone.localtime(now)
    when = local.replace(hour=settings.TRANSVERSE_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return when if when > local else when + timedelta(days=1)


@task(takes_context=True)
@rerun_if_lost
def daily_digest_periodic(context) -> int:
    """The scheduled daily run: send the digests, then queue tomorrow's run."""
    from intranet.core.schedule import schedule_claim, schedule_next

    task_id = str(context.task_result.id)
    if not schedule_claim(DIGEST_JOB, task_id):
        return 0
    try:
        return send_daily_digests.call()
    finally:
        schedule_next(DIGEST_JOB, task_id)


DIGEST_JOB = "notifications.daily_digest"


@task()
def send_daily_digests() -> int:
    """One e-mail per agent with their undelivered digest notifications of the last days."""
    from intranet.accounts.models import User

    since = timezone.now() - timedelta(days=7)
    recipients = User.objects.filter(
        is_active=True,
        notifications__channel=Channel.DIGEST,
        notifications__emailed_at__isnull=True,
        notifications__created_at__gte=since,
    ).distinct()
    sent = 0
    for agent in recipients.iterator():
        items = digest_for(agent, since=since)
        if not items or not agent.email:
            continue
        with translation.override(agent.preferred_language), transaction.atomic():
            lines = [(describe(n), _site_url() + target_url(n)) for n in items]
            body = render_to_string(
                "notifications/email_digest.txt",
                {"recipient": agent, "lines": lines, "branding": current_branding()},
            )
            subject = translation.gettext("Your daily summary on %(site)s") % {
                "site": current_branding().name
            }
            send_mail(f"[{current_branding().name}] {subject}", body, None, [agent.email])
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(
                emailed_at=timezone.now()
            )
        sent += 1
    logger.info("daily digest sent to %d agents", sent)
    return sent
