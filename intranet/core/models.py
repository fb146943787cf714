"""The organisation's branding: name, logo and main colour, set by staff in the admin."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

color_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Enter a colour as # followed by six hexadecimal digits.")
)


class Branding(models.Model):
    """One row: what makes Transverse look like the organisation's own site."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(_("organisation name"), max_length=120)
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    primary_color = models.CharField(
        _("main colour"),
        max_length=7,
        validators=[color_validator],
        help_text=_("Used for the header and buttons. Text colour is chosen for contrast."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("branding")
        verbose_name_plural = _("branding")
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="branding_singleton")
        ]

    def __str__(self):
        return self.name


class ScheduledJob(models.Model):
    """The pending run of a periodic background job (see core.schedule)."""

    name = models.CharField(max_length=60, unique=True)
    task_id = models.CharField(max_length=64, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self):
        return self.name


class WorkerHeartbeat(models.Model):
    """A background worker's sign of life, written every few seconds (core.worker).

    A running task whose worker has not beaten for TRANSVERSE_WORKER_LOST_AFTER belongs to
    a lost worker (killed, crashed, its machine gone); /healthz reads the newest beat.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname}:{self.pid}"
