"""A group's training session or event, the agents registered to it (or waiting for a
seat) and each agent's secret calendar-feed token."""

from datetime import timedelta

from django.conf import settings
from django.db import models
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
