"""Data exports an agent (or staff for them) asked for, and the record of erasures."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _

EXPORT_LIFETIME = timedelta(days=7)


class DataExport(models.Model):
    """A zip of an agent's data, built in the background, downloadable for 7 days."""

    class Status(models.TextChoices):
        PENDING = "pending", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    # Staff who produced it on the agent's request; they may download it too.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    file_name = models.CharField(max_length=200, blank=True)  # in the private storage
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.agent_id} {self.created_at:%Y-%m-%d %H:%M}"

    def page_url(self) -> str:
        return reverse("privacy:my-data")

    def label(self) -> str:
        return str(formats.date_format(self.created_at, "SHORT_DATETIME_FORMAT"))


class Erasure(models.Model):
    """What staff did to a departed agent's data, and why (kept after the person is gone)."""

    class Kind(models.TextChoices):
        ANONYMISE = "anonymise", _("anonymisation")
        ERASE = "erase", _("erasure")

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, max_length=2000)
    counts = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("anonymisation or erasure")
        verbose_name_plural = _("anonymisations and erasures")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} {self.agent_id}"
