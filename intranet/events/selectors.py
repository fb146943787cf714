"""Reads on sessions: what an agent sees, seats, calendars and feeds."""

import calendar as pycalendar
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from intranet.events.access import visible_events
from intranet.events.models import CalendarToken, Event, Registration


def with_seats(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        taken=Count("registrations", filter=Q(registrations__status="registered")),
        waiting=Count("registrations", filter=Q(registrations__status="waiting")),
    )


def group_events(actor, group, *, past: bool = False) -> QuerySet[Event]:
    now = timezone.now()
    events = visible_events(actor).filter(group=group)
    events = (
        events.filter(ends_at__lt=now).order_by("-starts_at")
        if past
        else events.filter(ends_at__gte=now)
    )
    return with_seats(events)


def registration_of(actor, event: Event) -> Registration | None:
    return Registration.objects.filter(event=event, agent_id=actor.pk).first()


def waiting_position(registration: Registration) -> int:
    return (
        Registration.objects.filter(
            event_id=registration.event_id, status=Registration.Status.WAITING
        )
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )


def registrations(event: Event) -> list[Registration]:
    return list(
        Registration.objects.filter(event=event)
        .select_related("agent", "agent__department")
        .order_by("status", "created_at", "pk")
    )


def attendees(event: Event) -> list:
    """The agents marked present (what the session-ended hook receives)."""
    rows = Registration.objects.filter(
        event=event, status=Registration.Status.REGISTERED, attended=True
    ).select_related("agent")
    return [r.agent for r in rows]


def agent_registered_events(agent) -> QuerySet[Event]:
    """The sessions agent holds a seat for, among those they may still see."""
    return visible_events(agent).filter(
        registrations__agent=agent, registrations__status=Registration.Status.REGISTERED
    )


def agent_for_token(agent_id, token: str):
    """The agent whose feed token is token (compared in constant time), or None."""
    try:
        pk = int(agent_id)
    except (TypeError, ValueError):
        return None
    row = CalendarToken.objects.filter(agent_id=pk).select_related("agent").first()
    if row is None or not hmac.compare_digest(row.token.encode(), str(token).encode()):
        return None
    if not row.agent.is_active:
        return None
    return row.agent


@dataclass
class Day:
    day: date
    in_month: bool
    today: bool
    events: list


def month_grid(actor, year: int, month: int) -> tuple[list[list[Day]], list[Event]]:
    """Weeks (Monday first) of the month with the sessions actor sees, local time."""
    tz = timezone.get_current_timezone()
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start = timezone.make_aware(datetime.combine(weeks[0][0], time.min), tz)
    end = timezone.make_aware(datetime.combine(weeks[-1][-1] + timedelta(days=1), time.min), tz)
    events = list(
        visible_events(actor)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .select_related("group")
        .order_by("starts_at", "pk")
    )
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(timezone.localtime(event.starts_at, tz).date(), []).append(event)
    today = timezone.localdate()
    grid = [
        [Day(d, d.month == month, d == today, by_day.get(d, [])) for d in week] for week in weeks
    ]
    in_month = [e for e in events if timezone.localtime(e.starts_at, tz).month == month]
    return grid, in_month
