"""`{% event_when %}` renders exactly what the include it replaced rendered (six `date`
filters in the current time zone and language), in each zone and language and across a
daylight-saving change; the calendar's list view costs the same queries for more sessions."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from intranet.events.models import Event
from intranet.groups import services as group_services
from tests.events.conftest import make_event

# The include it replaced (templates/events/_event_when.html before the change).
OLD = (
    "{% load i18n tz %}{% get_current_timezone as current_zone %}"
    '<time datetime="{{ event.starts_at|date:\'c\' }}">{{ event.starts_at|date:"l j F Y, H:i" }}'
    "</time>–<time datetime=\"{{ event.ends_at|date:'c' }}\">"
    '{% if event.ends_at|date:"Ymd" == event.starts_at|date:"Ymd" %}{{ event.ends_at|date:"H:i" }}'
    '{% else %}{{ event.ends_at|date:"j F Y, H:i" }}{% endif %}</time> '
    '<span class="event__zone muted">({{ current_zone }})</span>'
)
NEW = "{% load events %}{% event_when event %}"

UTC = ZoneInfo("UTC")
CASES = [
    (datetime(2026, 12, 7, 8, 30, tzinfo=UTC), 90),  # winter, same day
    (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), 120),  # across the spring change in Paris
    (datetime(2026, 10, 25, 0, 15, tzinfo=UTC), 60),  # the autumn change's doubled hour
    (datetime(2026, 12, 7, 22, 30, tzinfo=UTC), 180),  # ends the next day (in Paris)
    (datetime(2026, 12, 7, 2, 0, 0, 123456, tzinfo=UTC), 45),  # microseconds kept
]


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/Cayenne", "Pacific/Noumea", "UTC"])
@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("starts,minutes", CASES)
def test_event_when_renders_what_the_include_rendered(zone, language, starts, minutes):
    event = Event(title="x", starts_at=starts, ends_at=starts + timedelta(minutes=minutes))
    with timezone.override(ZoneInfo(zone)), translation.override(language):
        old = Template(OLD).render(Context({"event": event}))
        new = Template(NEW).render(Context({"event": event}))
    assert new == old


def test_event_when_escapes_the_zone_name_and_keeps_the_language():
    event = Event(
        title="x",
        starts_at=datetime(2026, 12, 7, 8, 30, tzinfo=UTC),
        ends_at=datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
    )
    with timezone.override(ZoneInfo("Europe/Paris")), translation.override("fr"):
        html = Template(NEW).render(Context({"event": event}))
    assert "lundi 7 décembre 2026, 09:30" in html and "11:00" in html


def test_calendar_list_costs_the_same_queries_for_more_sessions(client, training, bob, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = timezone.now() + timedelta(days=1)
    make_event(bob, training, starts_at=start)
    client.force_login(alice)
    month = timezone.localtime(start).strftime("%Y-%m")
    url = reverse("events:calendar") + f"?month={month}&view=list"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    other = group_services.group_create(bob, name="Autre groupe", policy="open")
    group_services.group_tools_set(bob, other, keys=["events"])
    group_services.group_join(alice, other)
    for hours in range(1, 9):
        make_event(bob, other, starts_at=start + timedelta(hours=hours))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("event__zone") >= 9
    assert len(many.captured_queries) == len(few.captured_queries)
