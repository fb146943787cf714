"""Sessions: creation with exact messages, registration, the waiting list and its
promotion, attendance, reminders, the session-ended hook."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from intranet.events import hooks, services, tasks
from intranet.events.models import Event, Registration
from intranet.groups.models import Membership
from intranet.notifications.models import Kind, Notification
from tests.events.conftest import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")


def _messages(call, *args, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    return error.value.messages


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "   "}, "Give the session a title."),
        ({"title": "x" * 201}, "The title is too long (200 characters at most)."),
        ({"duration_minutes": 0}, "The duration must be between 1 minute and 7 days."),
        ({"duration_minutes": 20000}, "The duration must be between 1 minute and 7 days."),
        ({"capacity": 0}, "The capacity must be at least 1 seat, or left empty."),
        (
            {"video_url": "javascript:alert(1)"},
            "The video-conference link must be a web address (https://…).",
        ),
        (
            {"video_url": "https://exa mple.org/<script>"},
            "The video-conference link must be a web address (https://…).",
        ),
    ],
)
def test_invalid_sessions_are_refused_with_exact_messages(training, bob, fields, message):
    assert _messages(make_event, bob, training, **fields) == [message]


def test_registration_closing_after_start_is_refused(training, bob):
    start = timezone.now() + timedelta(days=2)
    assert _messages(
        make_event, bob, training, starts_at=start, registration_closes_at=start + timedelta(1)
    ) == ["Registration must close before the session starts."]


def test_plain_member_may_not_create_a_session(training, alice):
    with pytest.raises(PermissionDenied):
        make_event(alice, training)


def test_title_is_stored_as_text(training, bob):
    event = make_event(bob, training, title="<script>alert(1)</script>  \n x")
    assert event.title == "<script>alert(1)</script> x"
    assert event.ends_at - event.starts_at == timedelta(minutes=90)


def test_full_session_wait_lists_then_cancellation_promotes_the_first(
    training, session, alice, bob, dave, staff
):
    Membership.objects.create(group=training, agent=dave)
    first = services.event_register(alice, session)
    second = services.event_register(bob, session)
    third = services.event_register(dave, session)
    fourth = services.event_register(staff, session)
    assert [r.status for r in (first, second, third, fourth)] == [
        "registered",
        "registered",
        "waiting",
        "waiting",
    ]
    promoted = services.event_cancel(alice, session)
    assert promoted.agent == dave and promoted.status == "registered"
    assert Registration.objects.get(agent=staff).status == "waiting"
    note = Notification.objects.get(recipient=dave, kind=Kind.EVENT_PROMOTED)
    assert note.target == session
    assert not Notification.objects.filter(recipient=staff).exists()


def test_leaving_the_waiting_list_promotes_nobody(training, session, alice, bob, staff):
    services.event_register(alice, session)
    services.event_register(bob, session)
    services.event_register(staff, session)
    assert services.event_cancel(staff, session) is None
    assert Registration.objects.filter(status="registered").count() == 2


def test_registering_twice_and_cancelling_unregistered_give_exact_messages(
    training, session, alice
):
    services.event_register(alice, session)
    assert _messages(services.event_register, alice, session) == [
        "You are already registered for this session."
    ]
    services.event_cancel(alice, session)
    assert _messages(services.event_cancel, alice, session) == [
        "You are not registered for this session."
    ]


def test_registration_closes_at_its_date_and_at_the_start(training, bob, alice):
    closed = make_event(bob, training, registration_closes_at=timezone.now() - timedelta(minutes=1))
    assert _messages(services.event_register, alice, closed) == [
        "Registration for this session is closed."
    ]
    started = make_event(bob, training, days=-1)
    assert _messages(services.event_register, alice, started) == [
        "Registration for this session is closed."
    ]


def test_outsider_may_not_register_in_a_closed_group(session, carol):
    with pytest.raises(PermissionDenied):
        services.event_register(carol, session)


def test_attendance_marks_only_registered_agents(training, session, alice, bob, staff):
    services.event_register(alice, session)
    services.event_register(bob, session)
    services.event_register(staff, session)  # waiting
    assert services.attendance_set(bob, session, [alice.pk, staff.pk, "x", None]) == 1
    assert list(Registration.objects.filter(attended=True).values_list("agent", flat=True)) == [
        alice.pk
    ]
    with pytest.raises(PermissionDenied):
        services.attendance_set(alice, session, [alice.pk])


def test_reminders_go_once_the_day_before_by_notification_and_email(
    training, bob, alice, django_capture_on_commit_callbacks
):
    from intranet.notifications.tasks import send_notification_email

    tomorrow = make_event(bob, training, days=0, starts_at=timezone.now() + timedelta(hours=20))
    later = make_event(bob, training, days=5)
    services.event_register(alice, tomorrow)
    services.event_register(alice, later)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert tasks.send_reminders() == 1
    assert callbacks  # the e-mail is queued after commit
    assert tasks.send_reminders() == 0
    note = Notification.objects.get(recipient=alice, kind=Kind.EVENT_REMINDER)
    assert note.target == tomorrow and note.channel == "email"
    assert send_notification_email.call(note.pk) is True
    (message,) = mail.outbox
    assert message.to == [alice.email]


def test_reminder_respects_the_agents_notification_settings(training, bob, alice):
    from intranet.notifications.services import preferences_set

    preferences_set(alice, {Kind.EVENT_REMINDER: "off"})
    event = make_event(bob, training, starts_at=timezone.now() + timedelta(hours=3))
    services.event_register(alice, event)
    assert tasks.send_reminders() == 0
    assert not Notification.objects.filter(recipient=alice).exists()


def test_session_ended_hook_runs_once_with_the_attendees(training, bob, alice, dave):
    calls = []

    def survey(event, attendees):
        calls.append((event.pk, sorted(a.username for a in attendees)))

    def broken(event, attendees):
        raise RuntimeError("boom")

    hooks.session_ended_register(broken)
    hooks.session_ended_register(survey)
    try:
        event = make_event(bob, training, days=1)
        services.event_register(alice, event)
        services.event_register(bob, event)
        services.attendance_set(bob, event, [alice.pk])
        assert tasks.run_sessions_ended() == 0  # not ended yet
        Event.objects.filter(pk=event.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
        assert tasks.run_sessions_ended() == 1
        assert tasks.run_sessions_ended() == 0
        assert calls == [(event.pk, ["alice"])]
    finally:
        hooks.session_ended_unregister(broken)
        hooks.session_ended_unregister(survey)


def test_calendar_token_reset_changes_the_secret(alice):
    first = services.calendar_token(alice)
    assert services.calendar_token(alice) == first and len(first) >= 40
    assert services.calendar_token_reset(alice) != first


def test_deactivated_agent_gets_no_promotion_notification(training, session, alice, bob):
    other = UserFactory(username="zoe", department=alice.department)
    Membership.objects.create(group=training, agent=other)
    services.event_register(alice, session)
    services.event_register(bob, session)
    services.event_register(other, session)
    other.is_active = False
    other.save()
    services.event_cancel(alice, session)
    assert not Notification.objects.filter(recipient=other).exists()


def test_the_seat_counter_follows_registrations_cancellations_and_promotions(
    training, session, alice, bob, dave, staff
):
    Membership.objects.create(group=training, agent=dave)

    def counter():
        session.refresh_from_db()
        return session.seats_taken

    for agent in (alice, bob, dave, staff):
        services.event_register(agent, session)
    assert counter() == 2 == Registration.objects.filter(status="registered").count()
    services.event_cancel(staff, session)  # from the waiting list: nothing moves
    assert counter() == 2
    services.event_cancel(alice, session)  # dave promoted
    assert counter() == 2
    services.event_cancel(bob, session)  # nobody left waiting
    assert counter() == 1 == Registration.objects.filter(status="registered").count()
    # A counter gone wrong (a registration removed outside the services) is recounted on
    # the next cancellation instead of keeping a phantom seat.
    Event.objects.filter(pk=session.pk).update(seats_taken=2)
    services.event_register(alice, session)
    assert Registration.objects.get(agent=alice).status == "waiting"
    services.event_cancel(dave, session)
    assert Registration.objects.get(agent=alice).status == "registered" and counter() == 1


def test_a_seat_freed_while_registering_is_not_left_empty(
    training, session, alice, bob, dave, monkeypatch
):
    """dave reads the session full; before his registration is written, alice cancels
    and no one is waiting, so her seat stays free. dave's registration, written to the
    waiting list on what he read, must take that seat once committed (the check after
    the commit), not wait while it is free."""
    Membership.objects.create(group=training, agent=dave)
    services.event_register(alice, session)
    services.event_register(bob, session)
    real_can_register = services.can_register

    def cancel_meanwhile(actor, group):
        if actor == dave:
            services.event_cancel(alice, session)
        return real_can_register(actor, group)

    monkeypatch.setattr(services, "can_register", cancel_meanwhile)
    registration = services.event_register(dave, session)
    assert registration.status == "registered"
    session.refresh_from_db()
    assert session.seats_taken == 2 == Registration.objects.filter(status="registered").count()


def test_refused_second_registration_takes_no_seat(training, session, alice):
    """The seat and the registration are written together: the unique constraint's refusal
    of a second registration gives the seat back (on PostgreSQL, one statement; inside a
    caller's transaction, which stays usable)."""
    services.event_register(alice, session)
    _messages(services.event_register, alice, session)
    session.refresh_from_db()
    assert session.seats_taken == 1
    assert Registration.objects.filter(event=session, agent=alice).count() == 1


def test_registration_reads_twice_and_writes_once(
    training, session, alice, bob, dave, django_assert_num_queries
):
    """A burst of agents for a session pays: the session and its group, the agent's
    memberships (the access rule), then the registration and its seat. PostgreSQL writes
    both in one statement (inside a savepoint here: the test runs in a transaction);
    SQLite in an INSERT and an UPDATE. Read full, the registration is wait-listed
    without touching the seat, and one more read looks for a seat freed meanwhile."""
    from django.db import connection

    Membership.objects.get_or_create(group=training, agent=dave)
    writes = 1 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(2 + 2 + writes):  # 2 reads, SAVEPOINT / RELEASE
        services.event_register(alice, session)
    services.event_register(bob, session)
    with django_assert_num_queries(2 + 2 + 1 + 1):  # read full: only the INSERT
        assert services.event_register(dave, session).status == "waiting"
