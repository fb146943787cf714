"""Pages, ICS files, webcal feeds and the CSV export follow the group's access (404
otherwise); the feed token authorises only its agent's feed and dies once reset."""

import csv
import io
from datetime import timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from intranet.events import services
from intranet.events.models import Registration
from intranet.groups import services as group_services
from tests.events.conftest import PARIS, make_event, paris


def _pages(event):
    slug, pk = event.group.slug, event.pk
    return [
        reverse("events:group-events", args=[slug]),
        reverse("events:event-detail", args=[slug, pk]),
        reverse("events:event-ics", args=[slug, pk]),
    ]


def test_member_sees_pages_and_outsider_gets_404_everywhere(client, session, alice, carol):
    client.force_login(alice)
    for url in _pages(session):
        assert client.get(url).status_code == 200, url
    client.force_login(carol)
    for url in [
        *_pages(session),
        reverse("events:event-attendees-csv", args=[session.group.slug, session.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    for name in ("event-register", "event-cancel", "event-attendance"):
        url = reverse(f"events:{name}", args=[session.group.slug, session.pk])
        assert client.post(url).status_code == 404, url
    assert not Registration.objects.exists()


def test_pages_are_404_once_the_tool_is_off(client, session, alice, bob):
    group_services.group_tools_set(bob, session.group, keys=[])
    client.force_login(alice)
    for url in _pages(session):
        assert client.get(url).status_code == 404, url


def test_event_of_another_group_is_404_under_this_groups_url(client, session, alice, staff):
    other = group_services.group_create(staff, name="Autre", policy="open")
    group_services.group_tools_set(staff, other, keys=["events"])
    client.force_login(alice)
    url = reverse("events:event-detail", args=[other.slug, session.pk])
    assert client.get(url).status_code == 404


def test_group_tab_and_registration_journey(client, session, alice, dave, training):
    from intranet.groups.models import Membership

    Membership.objects.create(group=training, agent=dave)
    client.force_login(alice)
    detail = reverse("events:event-detail", args=[training.slug, session.pk])
    page = client.get(reverse("groups:group-detail", args=[training.slug])).content.decode()
    assert reverse("events:group-events", args=[training.slug]) in page
    client.post(reverse("events:event-register", args=[training.slug, session.pk]))
    assert "You are registered." in client.get(detail, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    services.event_register(dave, session)
    Registration.objects.create(event=session, agent=training.created_by, status="waiting")
    client.post(reverse("events:event-cancel", args=[training.slug, session.pk]))
    assert not Registration.objects.filter(agent=alice).exists()
    assert Registration.objects.get(agent=training.created_by).status == "registered"


def test_plain_member_may_not_create_export_or_mark(client, session, alice):
    client.force_login(alice)
    slug = session.group.slug
    assert client.post(reverse("events:group-events", args=[slug]), {}).status_code == 404
    csv_url = reverse("events:event-attendees-csv", args=[slug, session.pk])
    assert client.get(csv_url).status_code == 404


def test_animator_creates_a_session_in_paris_time_across_dst(client, training, bob):
    client.force_login(bob)
    response = client.post(
        reverse("events:group-events", args=[training.slug]),
        {
            "title": "Après le changement d’heure",
            "date": "2031-03-30",
            "time": "09:30",
            "duration_minutes": "120",
            "place": "Salle <b>204</b>",
            "video_url": "",
            "capacity": "",
        },
    )
    assert response.status_code == 302
    event = training.events.get()
    assert event.starts_at == paris(2031, 3, 30, 9, 30)
    assert event.starts_at.astimezone(PARIS).utcoffset() == timedelta(hours=2)
    page = client.get(response["Location"]).content.decode()
    assert "Salle &lt;b&gt;204&lt;/b&gt;" in page and "<b>204" not in page


@pytest.mark.parametrize(
    "video_url", ["javascript:alert(1)", "data:text/html,<script>x</script>", "ftp://x.org"]
)
def test_hostile_video_links_are_refused(client, training, bob, video_url):
    client.force_login(bob)
    response = client.post(
        reverse("events:group-events", args=[training.slug]),
        {
            "title": "T",
            "date": "2031-01-10",
            "time": "10:00",
            "duration_minutes": "60",
            "video_url": video_url,
        },
    )
    assert response.status_code == 400
    assert not training.events.exists()


@pytest.mark.parametrize(
    "query",
    ["month=abc", "month=2031-13", "month=-5-1", "month=99999-01", "view=<script>", "month=2031"],
)
def test_calendar_never_fails_on_bad_input(client, alice, query):
    client.force_login(alice)
    response = client.get(reverse("events:calendar") + "?" + query)
    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_calendar_shows_only_what_the_agent_may_see(client, session, alice, carol, staff):
    hidden = group_services.group_create(staff, name="Secret", policy="secret")
    group_services.group_tools_set(staff, hidden, keys=["events"])
    secret = make_event(staff, hidden, title="Réunion secrète", days=3)
    month = timezone.localtime(session.starts_at).strftime("%Y-%m")
    for view in ("month", "list"):
        client.force_login(alice)
        page = client.get(reverse("events:calendar"), {"month": month, "view": view})
        assert session.title in page.content.decode()
        assert secret.title not in page.content.decode()
        client.force_login(carol)
        page = client.get(reverse("events:calendar"), {"month": month, "view": view})
        assert "Prise en main" not in page.content.decode()


def _parse(response):
    return icalendar.Calendar.from_ical(response.content)


def test_ics_parses_and_keeps_paris_time_on_both_sides_of_dst(client, training, bob, alice):
    winter = make_event(bob, training, starts_at=paris(2031, 3, 29, 10, 0), title="Hiver")
    summer = make_event(bob, training, starts_at=paris(2031, 3, 31, 10, 0), title="Été")
    client.force_login(alice)
    for event, offset in ((winter, 1), (summer, 2)):
        response = client.get(reverse("events:event-ics", args=[training.slug, event.pk]))
        assert response["Content-Type"].startswith("text/calendar")
        cal = _parse(response)
        (vevent,) = cal.walk("VEVENT")
        start = vevent.decoded("dtstart")
        assert start.hour == 10 and start.utcoffset() == timedelta(hours=offset)
        assert str(vevent["summary"]) == event.title
        assert cal.walk("VTIMEZONE")[0]["tzid"] == "Europe/Paris"
        assert vevent.decoded("dtend") - start == timedelta(minutes=90)


def test_feed_lists_registered_sessions_and_dies_once_reset(client, session, training, alice, bob):
    other = make_event(bob, training, title="Autre séance")
    services.event_register(alice, session)
    token = services.calendar_token(alice)
    url = reverse("events:feed-agent", args=[alice.pk, token])
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    titles = [str(e["summary"]) for e in _parse(response).walk("VEVENT")]
    assert titles == [session.title] and other.title not in titles
    group_url = reverse("events:feed-group", args=[alice.pk, token, training.slug])
    titles = [str(e["summary"]) for e in _parse(client.get(group_url)).walk("VEVENT")]
    assert sorted(titles) == sorted([session.title, other.title])
    services.calendar_token_reset(alice)
    assert client.get(url).status_code == 404
    assert client.get(group_url).status_code == 404


def test_token_authorises_only_its_own_agent(client, session, alice, bob, carol):
    alice_token = services.calendar_token(alice)
    services.calendar_token(bob)
    assert client.get(reverse("events:feed-agent", args=[bob.pk, alice_token])).status_code == 404
    carol_token = services.calendar_token(carol)
    url = reverse("events:feed-group", args=[carol.pk, carol_token, session.group.slug])
    assert client.get(url).status_code == 404  # closed group, carol is no member
    bad = reverse("events:feed-agent", args=[alice.pk, "x" * 43])
    assert client.get(bad).status_code == 404


def test_feed_stops_when_the_agent_leaves_the_group(client, session, training, alice, staff):
    services.event_register(alice, session)
    token = services.calendar_token(alice)
    group_services.group_member_remove(staff, training, alice)
    response = client.get(reverse("events:feed-agent", args=[alice.pk, token]))
    assert _parse(response).walk("VEVENT") == []


def test_feeds_page_shows_webcal_and_resets(client, alice):
    client.force_login(alice)
    page = client.get(reverse("events:feeds")).content.decode()
    token = services.calendar_token(alice)
    assert f"webcal://testserver/events/feed/{alice.pk}/{token}.ics" in page
    client.post(reverse("events:feeds"))
    assert services.calendar_token(alice) != token


def test_attendees_csv_for_the_animator(client, session, training, alice, bob):
    alice.first_name = '=HYPERLINK("http://x")'
    alice.save()
    services.event_register(alice, session)
    services.attendance_set(bob, session, [alice.pk])
    client.force_login(bob)
    response = client.get(
        reverse("events:event-attendees-csv", args=[training.slug, session.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "E-mail", "Department", "Status", "Present"]
    (row,) = rows[1:]
    assert row[0].startswith("'=HYPERLINK")  # neutralised formula
    assert row[1:] == [alice.email, str(alice.department), "registered", "yes"]


def test_attendance_form_marks_present(client, session, training, alice, bob):
    services.event_register(alice, session)
    client.force_login(bob)
    client.post(
        reverse("events:event-attendance", args=[training.slug, session.pk]),
        {"present": [str(alice.pk), "nope", "<script>"]},
    )
    assert Registration.objects.get(agent=alice).attended


def test_calendar_page_costs_the_same_queries_for_more_groups_and_sessions(
    client, training, bob, alice, staff
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intranet.groups.models import Membership

    start = timezone.now() + timedelta(days=1)
    make_event(bob, training, starts_at=start)
    client.force_login(alice)
    month = timezone.localtime(start).strftime("%Y-%m")
    url = reverse("events:calendar") + f"?month={month}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for i in range(5):
        other = group_services.group_create(staff, name=f"Groupe {i}", policy="closed")
        group_services.group_tools_set(staff, other, keys=["events"])
        Membership.objects.create(group=other, agent=alice)
        for hours in (1, 2, 3):
            make_event(staff, other, starts_at=start + timedelta(hours=hours))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("calendar__events") >= 1
    assert len(many.captured_queries) == len(few.captured_queries)


def test_ics_keeps_hostile_text_inside_its_property(client, training, bob, alice):
    event = make_event(
        bob,
        training,
        title="Atelier\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Piège",
        description="Ligne 1\nATTENDEE:mailto:x@y.fr; ,\\",
        place="Salle ; 2, B",
    )
    client.force_login(alice)
    response = client.get(reverse("events:event-ics", args=[training.slug, event.pk]))
    (vevent,) = _parse(response).walk("VEVENT")
    assert str(vevent["summary"]) == event.title
    assert str(vevent["description"]) == event.description
    assert str(vevent["location"]) == "Salle ; 2, B"
    assert "ATTENDEE" not in vevent
