"""What the directory sync remembers: each run (the periodic task: core.ScheduledJob)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncRun(models.Model):
    """One run of the directory sync, kept for the summary, the admin and the next run."""

    class Mode(models.TextChoices):
        FULL = "full", _("full")
        INCREMENTAL = "incremental", _("incremental")

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        REFUSED = "refused", _("refused by the safety guard")
        FAILED = "failed", _("failed")

    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Counts: created, updated, moved, deactivated, reactivated, unchanged, skipped...
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    skipped = models.JSONField(_("skipped entries"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    # Highest modifyTimestamp read: the next incremental run asks for entries changed since.
    high_water_mark = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("directory sync run")
        verbose_name_plural = _("directory sync runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.get_mode_display()} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
