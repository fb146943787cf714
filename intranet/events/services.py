"""Writes on sessions: creating them, registering, cancelling (which promotes the first
agent of the waiting list), attendance, and the calendar-feed token.

Seats are counted on the session's row (`seats_taken`). Registering takes a seat with one
conditional UPDATE (`seats_taken = seats_taken + 1 WHERE seats_taken < capacity`), in the
same statement as the registration's INSERT on PostgreSQL (its own transaction), the last
statement before the commit elsewhere: the row is locked from that statement to the
commit only, two agents racing for the last seat cannot both get it, and an agent finding
the session full joins the waiting list without touching the row. Cancelling locks the row,
recounts the seats and promotes the first agents waiting; wait-listing and cancelling
both look again for a free seat once committed (_fill_free_seats), so no one waits while
a seat is free.

The satisfaction survey: `survey_send` (registered on the session-ended hook) opens a
session's survey and notifies its attendees; `survey_answer` records one answer per
attendee (a unique row of who answered; what they answered is stored apart, unlinked).
"""

import functools
import secrets
from contextlib import nullcontext
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.events.access import can_manage_events, can_register, is_attendee
from intranet.events.hooks import attendance_emit
from intranet.events.models import (
    CalendarToken,
    Event,
    Registration,
    Survey,
    SurveyAnswer,
    SurveyReply,
)
from intranet.groups.models import Group
from intranet.notifications.models import Kind
from intranet.notifications.services import notify

MAX_DURATION = 7 * 24 * 60


def _clean(
    *,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    place: str = "",
    video_url: str = "",
    capacity: int | None = None,
    registration_closes_at: datetime | None = None,
    description: str = "",
) -> dict:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError(_("Give the session a title."))
    if len(title) > 200:
        raise ValidationError(_("The title is too long (200 characters at most)."))
    if starts_at is None or timezone.is_naive(starts_at):
        raise ValidationError(_("Give the date and time of the session."))
    if not duration_minutes or not 1 <= int(duration_minutes) <= MAX_DURATION:
        raise ValidationError(_("The duration must be between 1 minute and 7 days."))
    if capacity is not None and int(capacity) < 1:
        raise ValidationError(_("The capacity must be at least 1 seat, or left empty."))
    video_url = (video_url or "").strip()
    if video_url:
        try:
            URLValidator(schemes=["https", "http"])(video_url)
        except ValidationError:
            raise ValidationError(
                _("The video-conference link must be a web address (https://…).")
            ) from None
    if registration_closes_at is not None and registration_closes_at > starts_at:
        raise ValidationError(_("Registration must close before the session starts."))
    return {
        "title": title,
        "starts_at": starts_at,
        "duration_minutes": int(duration_minutes),
        "place": " ".join((place or "").split())[:200],
        "video_url": video_url,
        "capacity": int(capacity) if capacity is not None else None,
        "registration_closes_at": registration_closes_at,
        "description": (description or "").strip()[:5000],
    }


def event_create(actor, group, **fields) -> Event:
    if not can_manage_events(actor, group):
        raise PermissionDenied
    return Event.objects.create(group=group, created_by=actor, **_clean(**fields))


def _take_seat(event: Event) -> bool:
    """One seat of event if one is free (an atomic conditional UPDATE)."""
    free = Q(capacity__isnull=True) | Q(seats_taken__lt=F("capacity"))
    return bool(Event.objects.filter(free, pk=event.pk).update(seats_taken=F("seats_taken") + 1))


def _has_free_seat(event_pk: int) -> bool:
    # Plain SQL: asked after every wait-listing of a burst, and the ORM's compilation
    # costs five times the statement.
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            "SELECT capacity IS NULL OR seats_taken < capacity FROM events_event WHERE id = %s",
            [event_pk],
        )
        row = cursor.fetchone()
    return row is not None and bool(row[0])


def _fill_free_seats(event_pk: int) -> bool:
    """Run after a commit that wait-listed someone or freed a seat: a free seat with
    agents waiting goes to the first of them.

    A registration wait-listed while a cancellation is being committed cannot be seen by
    that cancellation's promotion; both sides check again once committed, so whichever
    commits last sees the other's work: no one waits while a seat is free."""
    if not _has_free_seat(event_pk):
        return False
    if not Registration.objects.filter(
        event_id=event_pk, status=Registration.Status.WAITING
    ).exists():
        return False
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("group").get(pk=event_pk)
        event.seats_taken = Registration.objects.filter(
            event=event, status=Registration.Status.REGISTERED
        ).count()
        return _promote(event) is not None


# PostgreSQL registers in one statement, its own transaction: the seat's conditional UPDATE
# and the registration's INSERT run together, and a second registration of the same agent
# (the unique constraint) rolls the seat back with it. One round trip instead of five
# (BEGIN, INSERT, UPDATE, COMMIT and the ORM's work around each): what a burst of agents
# for the last seats costs. %(take)s is false when the session was read full, so the
# UPDATE touches no row and the agent joins the waiting list.
_REGISTER_SQL = """
WITH seat AS (
    UPDATE events_event SET seats_taken = seats_taken + 1
    WHERE id = %(event)s AND %(take)s AND (capacity IS NULL OR seats_taken < capacity)
    RETURNING id
)
INSERT INTO events_registration (event_id, agent_id, status, attended, created_at)
SELECT %(event)s, %(agent)s,
       CASE WHEN EXISTS (SELECT 1 FROM seat) THEN %(registered)s ELSE %(waiting)s END,
       false, %(now)s
RETURNING id, status, created_at
"""


def _register_row(event: Event, actor, *, take_seat: bool) -> Registration:
    """actor's registration row, with a seat if take_seat and one is free (else waiting).
    IntegrityError when actor is already registered."""
    registered, waiting = Registration.Status.REGISTERED, Registration.Status.WAITING
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        params = {
            "event": event.pk,
            "agent": actor.pk,
            "take": take_seat,
            "registered": registered.value,
            "waiting": waiting.value,
            "now": timezone.now(),
        }
        # Inside a caller's transaction, a savepoint keeps it usable after a refusal.
        savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with savepoint, connection.cursor() as cursor:
            cursor.execute(_REGISTER_SQL, params)
            pk, status, created_at = cursor.fetchone()
        return Registration(
            pk=pk, event=event, agent=actor, status=status, attended=False, created_at=created_at
        )
    # Elsewhere (SQLite, one writer at a time): the registration first, the seat's UPDATE
    # last, so the session's row is locked from that statement to the commit only.
    with transaction.atomic():
        registration = Registration.objects.create(
            event=event, agent=actor, status=registered if take_seat else waiting
        )
        if take_seat and not _take_seat(event):
            registration.status = waiting
            Registration.objects.filter(pk=registration.pk).update(status=waiting)
    return registration


# What registering reads of a session and its group, on PostgreSQL: the ORM's
# select_related compiles some forty columns for each registration of a burst; these are
# the ones the rules and the seat need (the instances defer the others: reading one
# loads it).
_EVENT_FIELDS = {"id", "group_id", "capacity", "seats_taken", "starts_at", "registration_closes_at"}
_GROUP_FIELDS = {"id", "policy", "archived_at"}


@functools.cache
def _target_statement() -> tuple[str, list[str], list[str]]:
    """The SELECT and its columns, in each model's field order (what from_db expects)."""
    event = [f.attname for f in Event._meta.concrete_fields if f.attname in _EVENT_FIELDS]
    group = [f.attname for f in Group._meta.concrete_fields if f.attname in _GROUP_FIELDS]
    columns = [f"e.{name}" for name in event] + [f"g.{name}" for name in group]
    sql = (  # the columns are the models' own names, no input
        f"SELECT {', '.join(columns)} FROM events_event e "  # noqa: S608
        "JOIN groups_group g ON g.id = e.group_id WHERE e.id = %s"
    )
    return sql, event, group


def _registration_target(pk) -> Event:
    """The session pk with its group, as registering needs them (Event.DoesNotExist)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return Event.objects.select_related("group").get(pk=pk)
    sql, event_fields, group_fields = _target_statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        raise Event.DoesNotExist
    split = len(event_fields)
    event = Event.from_db(connection.alias, event_fields, row[:split])
    event.group = Group.from_db(connection.alias, group_fields, row[split:])
    return event


def event_register(actor, event: Event) -> Registration:
    """Register actor: a seat while there is one, else the waiting list."""
    event = _registration_target(event.pk)
    if not can_register(actor, event.group):
        raise PermissionDenied
    if not event.registration_open():
        raise ValidationError(_("Registration for this session is closed."))
    # Full when read (most of a burst once the seats are gone): straight to the waiting
    # list, without touching the session's row. The unique constraint refuses a second
    # registration of the same agent, even submitted twice at once.
    full = event.capacity is not None and event.seats_taken >= event.capacity
    try:
        registration = _register_row(event, actor, take_seat=not full)
    except IntegrityError:
        raise ValidationError(_("You are already registered for this session.")) from None
    if registration.status == Registration.Status.WAITING and _fill_free_seats(event.pk):
        registration.refresh_from_db(fields=["status"])
    return registration


def _promote(event: Event) -> Registration | None:
    """Give free seats to the first agents of the waiting list (event row locked, its
    seats_taken up to date)."""
    promoted = None
    while event.capacity is None or event.seats_taken < event.capacity:
        nxt = (
            Registration.objects.filter(event=event, status=Registration.Status.WAITING)
            .select_related("agent")
            .order_by("created_at", "pk")
            .first()
        )
        if nxt is None:
            break
        nxt.status = Registration.Status.REGISTERED
        nxt.save(update_fields=["status"])
        event.seats_taken += 1
        notify(nxt.agent, Kind.EVENT_PROMOTED, group=event.group, target=event)
        promoted = nxt
    Event.objects.filter(pk=event.pk).update(seats_taken=event.seats_taken)
    return promoted


def event_cancel(actor, event: Event) -> Registration | None:
    """Cancel actor's registration (or place on the waiting list); the freed seat goes to
    the first agent waiting, who is notified. Returns the promoted registration, if any."""
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("group").get(pk=event.pk)
        registration = Registration.objects.filter(event=event, agent=actor).first()
        if registration is None:
            raise ValidationError(_("You are not registered for this session."))
        if event.starts_at <= timezone.now():
            raise ValidationError(_("The session has started: it can no longer be cancelled."))
        registration.delete()
        if registration.status != Registration.Status.REGISTERED:
            return None
        # Recounted under the lock: the count also heals what a deletion elsewhere (an
        # agent's account removed) left behind.
        event.seats_taken = Registration.objects.filter(
            event=event, status=Registration.Status.REGISTERED
        ).count()
        promoted = _promote(event)
    _fill_free_seats(event.pk)
    return promoted


@transaction.atomic
def attendance_set(actor, event: Event, present_ids) -> int:
    """Mark the registered agents in present_ids present and the others absent."""
    if not can_manage_events(actor, event.group):
        raise PermissionDenied
    ids = set()
    for value in present_ids:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    registered = Registration.objects.filter(event=event, status=Registration.Status.REGISTERED)
    before = set(registered.filter(attended=True).values_list("agent_id", flat=True))
    registered.exclude(agent_id__in=ids).update(attended=False)
    marked = registered.filter(agent_id__in=ids).update(attended=True)
    survey = Survey.objects.filter(event=event).first()
    if survey is not None:
        # Attendance marked after the survey went out: the newly present get it too.
        for row in registered.filter(agent_id__in=ids - before).select_related("agent"):
            notify(row.agent, Kind.EVENT_SURVEY, group=event.group, target=survey)
    attendance_emit(event, set(registered.filter(attended=True).values_list("agent_id", flat=True)))
    return marked


def calendar_token(agent) -> str:
    """The agent's feed token, made on first use."""
    row = CalendarToken.objects.filter(agent=agent).first()
    if row is None:
        row, _created = CalendarToken.objects.get_or_create(
            agent=agent, defaults={"token": secrets.token_urlsafe(32)}
        )
    return row.token


def calendar_token_reset(agent) -> str:
    """A new token: the URLs holding the old one stop working at once."""
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.update_or_create(agent=agent, defaults={"token": token})
    return token


SCORES = range(1, 6)
COMMENT_MAX = 2000


@transaction.atomic
def survey_send(event: Event, attendees) -> Survey:
    """Open event's satisfaction survey and notify its attendees (a notification with a
    link, e-mailed or not by each agent's settings). The session-ended hook calls it once
    per session; a second call opens nothing new and notifies nobody again."""
    survey, created = Survey.objects.get_or_create(event=event)
    if created:
        for agent in attendees:
            notify(agent, Kind.EVENT_SURVEY, group=event.group, target=survey)
    return survey


def _score(value, message) -> int:
    """An integer from 1 to 5 (or its digit): 3.5, True or " 3" are refused."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) == 1:
        value = int(value)
    if type(value) is not int or value not in SCORES:
        raise ValidationError(message)
    return value


@transaction.atomic
def survey_answer(
    actor,
    survey: Survey,
    *,
    satisfaction,
    usefulness,
    pace: str,
    recommend: bool,
    comment: str = "",
) -> SurveyAnswer:
    """Record actor's answers to survey: attendees only, once each (a second answer, even
    sent at the same instant, is refused by the database constraint and stores nothing)."""
    event = survey.event
    if not is_attendee(actor, event):
        raise PermissionDenied
    fields = {
        "satisfaction": _score(satisfaction, _("Rate your overall satisfaction from 1 to 5.")),
        "usefulness": _score(usefulness, _("Rate the usefulness for your job from 1 to 5.")),
    }
    if pace not in SurveyAnswer.Pace.values:
        raise ValidationError(_("Choose how the pace was."))
    if not isinstance(recommend, bool):
        raise ValidationError(_("Say whether you would recommend the session."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("The comment is too long (2,000 characters at most)."))
    try:
        with transaction.atomic():
            SurveyReply.objects.create(survey=survey, agent=actor)
    except IntegrityError:
        raise ValidationError(_("You have already answered this survey.")) from None
    return SurveyAnswer.objects.create(
        survey=survey, pace=pace, recommend=recommend, comment=comment, **fields
    )
