"""Reads on sessions: what an agent sees, seats, calendars and feeds, survey results."""

import calendar as pycalendar
import hmac
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.core import charts
from intranet.events.access import visible_events
from intranet.events.models import (
    CalendarToken,
    Event,
    Registration,
    Survey,
    SurveyAnswer,
    SurveyReply,
)


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


@dataclass
class Question:
    key: str
    label: str
    bars: list  # (Bar, its value text), for the data table
    chart: str  # the SVG (intranet.core.charts)


def _question(key: str, label: str, counts: list[tuple[str, int]], total: int) -> Question:
    items = charts.counted_bars(counts, total)
    return Question(
        key, label, [(bar, charts.value_text(bar)) for bar in items], charts.bar_chart(items)
    )


def survey_results(answers: QuerySet[SurveyAnswer]) -> dict:
    """The answers' counts per question (bars, SVG chart, data table) and free texts."""
    rows = list(answers.values_list("satisfaction", "usefulness", "pace", "recommend", "comment"))
    total = len(rows)

    def scores(i):
        return [(str(n), sum(1 for r in rows if r[i] == n)) for n in range(1, 6)]

    paces = [
        (str(label), sum(1 for r in rows if r[2] == value))
        for value, label in SurveyAnswer.Pace.choices
    ]
    recommend = [
        (_("yes"), sum(1 for r in rows if r[3])),
        (_("no"), sum(1 for r in rows if not r[3])),
    ]
    questions = [
        _question("satisfaction", _("Overall satisfaction (1 to 5)"), scores(0), total),
        _question("usefulness", _("Usefulness for the job (1 to 5)"), scores(1), total),
        _question("pace", _("Pace"), paces, total),
        _question("recommend", _("Would recommend the session"), recommend, total),
    ]
    averages = {
        "satisfaction": round(sum(r[0] for r in rows) / total, 1) if total else None,
        "usefulness": round(sum(r[1] for r in rows) / total, 1) if total else None,
    }
    comments = sorted((r[4] for r in rows if r[4]), key=str.casefold)
    return {
        "answer_count": total,
        "questions": questions,
        "averages": averages,
        "comments": comments,
    }


def event_survey_answers(survey: Survey) -> QuerySet[SurveyAnswer]:
    return SurveyAnswer.objects.filter(survey=survey)


def programme_surveys(actor, group) -> QuerySet[Survey]:
    """A programme is the group's sessions: their surveys, with per-session figures."""
    return (
        Survey.objects.filter(event__in=visible_events(actor).filter(group=group))
        .select_related("event")
        .annotate(
            answer_count=Count("answers"),
            attendee_count=Subquery(
                Registration.objects.filter(event=OuterRef("event"), attended=True)
                .values("event")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            satisfaction=Avg("answers__satisfaction"),
            usefulness=Avg("answers__usefulness"),
        )
        .order_by("-event__starts_at", "pk")
    )


def programme_answers(actor, group) -> QuerySet[SurveyAnswer]:
    return SurveyAnswer.objects.filter(survey__event__in=visible_events(actor).filter(group=group))


def survey_of(event: Event) -> Survey | None:
    return Survey.objects.filter(event=event).first()


def has_answered(actor, survey: Survey) -> bool:
    return SurveyReply.objects.filter(survey=survey, agent_id=actor.pk).exists()
