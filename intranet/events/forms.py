from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=7 * 24 * 60, initial=60
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_url = forms.URLField(
        label=_("Video-conference link"), max_length=500, required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(
        label=_("Capacity (empty: no limit)"), min_value=1, max_value=100000, required=False
    )
    closes_date = forms.DateField(
        label=_("Registration closes on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    description = forms.CharField(
        label=_("Description"), max_length=5000, required=False, widget=forms.Textarea
    )

    def service_fields(self) -> dict:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        starts_at = timezone.make_aware(datetime.combine(data["date"], data["time"]), tz)
        closes = None
        if data.get("closes_date"):
            closes = timezone.make_aware(
                datetime.combine(data["closes_date"], datetime.max.time()), tz
            )
            closes = min(closes, starts_at)
        return {
            "title": data["title"],
            "starts_at": starts_at,
            "duration_minutes": data["duration_minutes"],
            "place": data.get("place") or "",
            "video_url": data.get("video_url") or "",
            "capacity": data.get("capacity"),
            "registration_closes_at": closes,
            "description": data.get("description") or "",
        }
