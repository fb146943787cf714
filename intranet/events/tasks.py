"""Scheduled work on sessions (intranet.core.schedule): reminders the day before, and the
"session ended with attendees" hook (intranet.events.hooks), each once per session."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from intranet.core.worker import rerun_if_lost

REMINDER_JOB = "events.reminders"
ENDED_JOB = "events.sessions_ended"
REMIND_AHEAD = timedelta(hours=24)


def next_quarter_hour(now):
    local = timezone.localtime(now).replace(second=0, microsecond=0)
    return local + timedelta(minutes=15 - local.minute % 15)


def send_reminders(now=None) -> int:
    """Remind the registered agents of each session starting within the next 24 hours (a
    notification, e-mailed or not by each agent's notification settings); once a session.

    Only the registered agents who may still see the session (access.event_audience): one
    removed from the group since registering gets no row. A constant number of queries a
    session, however many are registered."""
    from intranet.events.access import event_audience
    from intranet.events.models import Event, Registration
    from intranet.notifications.models import Kind
    from intranet.notifications.services import notify_many

    now = now or timezone.now()
    sent = 0
    due = Event.objects.filter(
        reminded_at__isnull=True, starts_at__gt=now, starts_at__lte=now + REMIND_AHEAD
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            # Claim the session first: a run racing this one finds it reminded already.
            if not Event.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            event = Event.objects.select_related("group").get(pk=pk)
            registered = Registration.objects.filter(
                event=event, agent_id=OuterRef("pk"), status=Registration.Status.REGISTERED
            )
            recipients = event_audience(event).filter(Exists(registered))
            sent += notify_many(recipients, Kind.EVENT_REMINDER, group=event.group, target=event)
    return sent


def run_sessions_ended(now=None) -> int:
    """Emit the session-ended hook once for each session that ended; returns how many."""
    from intranet.events.hooks import session_ended_emit
    from intranet.events.models import Event
    from intranet.events.selectors import attendees

    now = now or timezone.now()
    done = 0
    ended = Event.objects.filter(ended_hook_at__isnull=True, ends_at__lte=now)
    for pk in list(ended.values_list("pk", flat=True)):
        if not Event.objects.filter(pk=pk, ended_hook_at__isnull=True).update(ended_hook_at=now):
            continue
        event = Event.objects.select_related("group").get(pk=pk)
        session_ended_emit(event, attendees(event))
        done += 1
    return done


@task(takes_context=True)
@rerun_if_lost
def reminders_periodic(context) -> int:
    from intranet.core.schedule import schedule_claim, schedule_next

    task_id = str(context.task_result.id)
    if not schedule_claim(REMINDER_JOB, task_id):
        return 0
    try:
        return send_reminders()
    finally:
        schedule_next(REMINDER_JOB, task_id)


@task(takes_context=True)
@rerun_if_lost
def sessions_ended_periodic(context) -> int:
    from intranet.core.schedule import schedule_claim, schedule_next

    task_id = str(context.task_result.id)
    if not schedule_claim(ENDED_JOB, task_id):
        return 0
    try:
        return run_sessions_ended()
    finally:
        schedule_next(ENDED_JOB, task_id)
