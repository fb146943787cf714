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


SCORE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    """The satisfaction survey's standard questions and a free text."""

    satisfaction = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you with the session? (1: not at all, 5: very)"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    usefulness = forms.TypedChoiceField(
        label=_("How useful is it for your job? (1: not at all, 5: very)"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    pace = forms.ChoiceField(label=_("The pace was"), choices=(), widget=forms.RadioSelect)
    recommend = forms.TypedChoiceField(
        label=_("Would you recommend this session to a colleague?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything to add? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        from intranet.events.models import SurveyAnswer

        super().__init__(*args, **kwargs)
        self.fields["pace"].choices = SurveyAnswer.Pace.choices
