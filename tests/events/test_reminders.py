"""The day-before reminders reach only the registered agents who may still see the
session (intranet.events.access.event_audience), in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intranet.events import services, tasks
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from intranet.notifications.models import Kind, Notification
from tests.events.conftest import make_event
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Due sessions, the claim, the session, the audience, the preferences, the rows.
MAX_QUERIES = 8


def tomorrow(bob, group):
    return make_event(bob, group, capacity=20, starts_at=timezone.now() + timedelta(hours=20))


def reminded(event) -> set:
    notes = Notification.objects.filter(kind=Kind.EVENT_REMINDER, target_id=event.pk)
    return set(notes.values_list("recipient__username", flat=True))


def test_removed_member_gets_no_reminder_row_and_a_member_does(training, bob, alice, dave):
    Membership.objects.create(group=training, agent=dave)
    event = tomorrow(bob, training)
    services.event_register(alice, event)
    services.event_register(dave, event)
    group_services.group_member_remove(bob, training, dave)
    assert tasks.send_reminders() == 1
    assert reminded(event) == {"alice"}


def test_no_reminder_while_the_sessions_tool_is_off(training, bob, alice):
    event = tomorrow(bob, training)
    services.event_register(alice, event)
    group_services.group_tools_set(bob, training, keys=[])
    assert tasks.send_reminders() == 0
    assert reminded(event) == set()


def test_any_registered_agent_of_an_open_group_is_reminded(staff, carol):
    group = group_services.group_create(staff, name="Ouvert", policy="open")
    group_services.group_tools_set(staff, group, keys=["events"])
    event = tomorrow(staff, group)
    services.event_register(carol, event)  # no member: an open group's sessions are everyone's
    assert tasks.send_reminders() == 1
    assert reminded(event) == {"carol"}


def remind_with(bob, group, registrants) -> int:
    """How many queries send_reminders makes for one session with these registrants."""
    event = tomorrow(bob, group)
    for agent in registrants:
        services.event_register(agent, event)
    with CaptureQueriesContext(connection) as captured:
        assert tasks.send_reminders() == len(registrants)
    return len(captured.captured_queries)


def test_reminders_cost_the_same_queries_for_one_agent_or_many(training, bob, alice):
    many = UserFactory.create_batch(6)
    Membership.objects.bulk_create(Membership(group=training, agent=agent) for agent in many)
    one = remind_with(bob, training, [alice])
    assert remind_with(bob, training, many) == one
    assert one <= MAX_QUERIES
