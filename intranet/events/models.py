"""A group's training session or event, the agents registered to it (or waiting for a
seat), each agent's secret calendar-feed token, and the satisfaction survey sent to a
session's attendees once it has ended."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="events")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    starts_at = models.DateTimeField(_("start"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    # Stored (starts_at + duration) so "ended" and calendar ranges are plain comparisons.
    ends_at = models.DateTimeField(db_index=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video-conference link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    # The seats held (registrations "registered"), kept by intranet.events.services: a
    # registration takes one with a conditional UPDATE of this row.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    ended_hook_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["group", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.ends_at = self.starts_at + timedelta(minutes=self.duration_minutes)
        super().save(*args, **kwargs)

    def registration_open(self, now=None) -> bool:
        now = now or timezone.now()
        if self.starts_at <= now:
            return False
        return self.registration_closes_at is None or now < self.registration_closes_at


class Registration(models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("on the waiting list")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    attended = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "agent"], name="events_one_registration")
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]


class CalendarToken(models.Model):
    """The secret in an agent's webcal URLs; resetting it makes the old URLs answer 404."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)


class Survey(models.Model):
    """A session's satisfaction survey, opened when the session has ended (the session-ended
    hook, intranet.events.hooks): its attendees are notified and may answer once each."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="survey")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.event.title


class SurveyReply(models.Model):
    """Who answered a survey (one row per attendee, the constraint), kept apart from what
    they answered (SurveyAnswer) so the answers carry no link to a person."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="replies")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_replies"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "agent"], name="events_one_survey_reply")
        ]


class SurveyAnswer(models.Model):
    """One attendee's answers, anonymous: a random key (no order to match with the
    replies), no agent, no time."""

    class Pace(models.TextChoices):
        SLOW = "slow", _("too slow")
        RIGHT = "right", _("just right")
        FAST = "fast", _("too fast")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    satisfaction = models.PositiveSmallIntegerField(_("overall satisfaction"))
    usefulness = models.PositiveSmallIntegerField(_("usefulness for my job"))
    pace = models.CharField(_("pace"), max_length=8, choices=Pace.choices)
    recommend = models.BooleanField(_("would recommend"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5),
                name="events_survey_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=Q(usefulness__gte=1, usefulness__lte=5),
                name="events_survey_usefulness_1_5",
            ),
            models.CheckConstraint(
                condition=Q(pace__in=["slow", "right", "fast"]), name="events_survey_pace"
            ),
        ]
