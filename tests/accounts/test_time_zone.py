"""Each agent's time zone: chosen on their settings page (a known IANA zone only),
activated for their requests and sockets; calendar files keep their own time zone."""

import re
from datetime import UTC, datetime

import icalendar
import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from intranet.accounts.forms import AgentSettingsForm
from intranet.accounts.models import User
from intranet.groups import services as group_services
from realtime.actions import localised, socket_zone
from tests.events.conftest import make_event, paris

SETTINGS_URL = reverse("accounts:agent-settings")


@pytest.fixture
def session(budget, bob):
    """A session of budget on 15 January 2027 at 10:00 in Paris (09:00 UTC, winter)."""
    group_services.group_tools_set(bob, budget, keys=["events"])
    return make_event(bob, budget, starts_at=paris(2027, 1, 15, 10, 0), duration_minutes=90)


def _detail(client, event):
    return client.get(reverse("events:event-detail", args=[event.group.slug, event.pk]))


def test_new_agents_get_the_sites_time_zone(alice):
    assert alice.time_zone == settings.TIME_ZONE == "Europe/Paris"


@pytest.mark.parametrize(
    ("zone", "start", "end"),
    [
        ("Europe/Paris", "10:00", "11:30"),
        ("America/Cayenne", "06:00", "07:30"),  # French Guiana, UTC-3
        ("Pacific/Noumea", "20:00", "21:30"),  # New Caledonia, UTC+11
    ],
)
def test_agent_sees_session_times_in_their_zone(client, session, alice, zone, start, end):
    User.objects.filter(pk=alice.pk).update(time_zone=zone)
    client.force_login(alice)
    page = _detail(client, session).content.decode()
    assert f"{start}</time>–<time" in page and f">{end}</time>" in page
    assert f"({zone})" in page  # the page says which zone the times are in
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE  # reset after


def test_settings_page_saves_a_zone_and_the_calendar_follows(client, session, alice):
    client.force_login(alice)
    assert client.get(SETTINGS_URL).status_code == 200
    response = client.post(SETTINGS_URL, {"time_zone": "Pacific/Noumea"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.time_zone == "Pacific/Noumea"
    calendar = client.get(reverse("events:calendar"), {"month": "2027-01", "view": "list"})
    assert "20:00" in calendar.content.decode()


@pytest.mark.parametrize(
    "value",
    [
        "Mars/Olympus_Mons",
        "../../../etc/passwd",
        "/etc/localtime",
        "<script>alert(1)</script>",
        "",
        "Europe/Paris\x00",
        "europe/paris",
        "x" * 500,
        "Local",
    ],
)
def test_hostile_time_zones_are_refused(client, alice, value):
    client.force_login(alice)
    response = client.post(SETTINGS_URL, {"time_zone": value})
    assert response.status_code == 400
    assert b"<script>alert(1)" not in response.content
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Paris"


def test_hostile_time_zone_is_refused_with_a_message_and_nothing_saved(client, alice):
    client.force_login(alice)
    data = {"time_zone": "<b>Mars/Olympus_Mons</b>"}
    response = client.post(SETTINGS_URL, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "<p>Select a valid choice. &lt;b&gt;Mars/Olympus_Mons&lt;/b&gt; is not one of the "
        "available choices.</p>" in page
    )
    assert (
        '<select name="time_zone" aria-invalid="true" aria-describedby="id_time_zone_helptext '
        'id_time_zone_error" id="id_time_zone">' in page
    )
    assert " selected>" not in page  # nothing the list knows was chosen
    alice.refresh_from_db()
    assert alice.time_zone == "Europe/Paris"


def _as_django_writes_it(bound_field) -> str:
    """The field rendered by Django's own Select templates, blank lines between options
    squeezed (ListSelect writes none)."""
    field = bound_field.form.fields[bound_field.name]
    field.widget = forms.Select(choices=field.choices)
    return re.sub(r"\n\s*\n", "\n", str(bound_field.form[bound_field.name]))


@pytest.mark.parametrize(
    "form",
    [
        lambda: AgentSettingsForm(initial={"time_zone": "America/Cayenne"}),
        lambda: AgentSettingsForm({"time_zone": "Pacific/Noumea"}),
        lambda: AgentSettingsForm({"time_zone": "Mars/Olympus_Mons"}),
    ],
    ids=["initial", "bound", "invalid"],
)
def test_settings_select_writes_djangos_markup(form):
    form = form()
    form.is_valid()
    ours = str(form["time_zone"])
    assert ours.count("<option ") > 400 and ours.count("<optgroup ") > 5
    assert ours == _as_django_writes_it(form["time_zone"])


def test_settings_page_selects_the_agents_zone(client, alice):
    User.objects.filter(pk=alice.pk).update(time_zone="America/Cayenne")
    client.force_login(alice)
    page = client.get(SETTINGS_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        '<select name="time_zone" aria-describedby="id_time_zone_helptext" id="id_time_zone">'
        in page
    )
    assert '<optgroup label="America">' in page
    assert '<option value="America/Cayenne" selected>Cayenne</option>' in page
    assert page.count(" selected>") == 1


def test_settings_page_names_the_regions_in_the_agents_language(client, alice):
    """French first: the regions of the time-zone select are translated, and sorted by
    their name in that language (accents aside)."""
    client.force_login(alice)
    french = client.get(SETTINGS_URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    labels = re.findall(r'<optgroup label="([^"]+)">', french)
    assert {"Amérique", "Océan Pacifique", "États-Unis", "Autres"} <= set(labels)
    assert "America" not in labels and "Other" not in labels
    assert labels.index("Chili") < labels.index("États-Unis") < labels.index("Europe")
    assert '<option value="Pacific/Noumea">Noumea</option>' in french
    english = client.get(SETTINGS_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert {"America", "Pacific Ocean", "United States", "Other"} <= set(
        re.findall(r'<optgroup label="([^"]+)">', english)
    )


def test_a_zone_the_system_no_longer_knows_falls_back_to_the_sites(client, session, alice):
    User.objects.filter(pk=alice.pk).update(time_zone="Gone/Away")
    client.force_login(alice)
    response = _detail(client, session)
    assert response.status_code == 200
    assert "10:00</time>" in response.content.decode()


def test_ics_keeps_its_time_zone_whatever_the_agents(client, session, alice):
    User.objects.filter(pk=alice.pk).update(time_zone="America/Cayenne")
    client.force_login(alice)
    data = client.get(reverse("events:event-ics", args=[session.group.slug, session.pk]))
    event = icalendar.Calendar.from_ical(data.content).walk("VEVENT")[0]
    start = event.decoded("dtstart")
    assert start.astimezone(UTC) == datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    assert str(event["dtstart"].params["TZID"]) == "Europe/Paris"


def test_a_session_created_by_an_animator_overseas_is_in_their_zone(client, budget, bob):
    group_services.group_tools_set(bob, budget, keys=["events"])
    User.objects.filter(pk=bob.pk).update(time_zone="America/Cayenne")
    client.force_login(bob)
    response = client.post(
        reverse("events:group-events", args=[budget.slug]),
        {"title": "Séance", "date": "2027-01-15", "time": "09:00", "duration_minutes": "60"},
    )
    assert response.status_code == 302
    event = budget.events.get()
    assert event.starts_at == datetime(2027, 1, 15, 12, 0, tzinfo=UTC)


def test_socket_payloads_are_rewritten_in_the_agents_zone():
    payload = {
        "type": "message.created",
        "message": {
            "created_at": "2027-01-15T23:30:00+00:00",
            "time": "00:30",
            "day": "2027-01-16",
        },
    }
    assert localised(payload, socket_zone("Europe/Paris")) is payload  # nothing to change
    cayenne = localised(payload, socket_zone("America/Cayenne"))
    assert cayenne["message"]["time"] == "20:30" and cayenne["message"]["day"] == "2027-01-15"
    assert payload["message"]["time"] == "00:30"  # the shared dict is untouched
    history = localised({"messages": [payload["message"]]}, socket_zone("Pacific/Noumea"))
    assert history["messages"][0]["time"] == "10:30"
    assert socket_zone("<script>").key == settings.TIME_ZONE
    bad = {"created_at": "not a date", "time": "x", "day": "y"}
    assert localised(bad, socket_zone("Pacific/Noumea")) is bad
