"""iCalendar files (RFC 5545) of sessions, with their time zone (VTIMEZONE)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

PRODID = "-//Transverse//Sessions//FR"


def _host() -> str:
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h not in ("*",) and not h.startswith(".")]
    return hosts[0] if hosts else "transverse.local"


def calendar_of(events, *, name: str, url_for=None) -> bytes:
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    now = timezone.now()
    for event in events:
        vevent = icalendar.Event()
        vevent.add("uid", f"event-{event.pk}@{_host()}")
        vevent.add("dtstamp", now)
        vevent.add("dtstart", event.starts_at.astimezone(tz))
        vevent.add("dtend", event.ends_at.astimezone(tz))
        vevent.add("summary", event.title)
        if event.description:
            vevent.add("description", event.description)
        location = event.place or event.video_url
        if location:
            vevent.add("location", location)
        if url_for is not None:
            vevent.add("url", url_for(event))
        elif event.video_url:
            vevent.add("url", event.video_url)
        cal.add_component(vevent)
    cal.add_missing_timezones()
    return cal.to_ical()


def ics_response(data: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    safe = "".join(ch for ch in filename if ch.isalnum() or ch in "-_.") or "calendar.ics"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["Cache-Control"] = "private, no-store"
    return response


def local(dt: datetime) -> datetime:
    return timezone.localtime(dt)
