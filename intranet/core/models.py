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


class SitePage(models.Model):
    """A page every French public site must have, written by staff in the admin (Markdown,
    one text per language): the accessibility statement, the legal notice and the page on
    personal data. Public: shown without signing in, linked from every page's footer."""

    class Kind(models.TextChoices):
        ACCESSIBILITY = "accessibility", _("Accessibility statement")
        LEGAL_NOTICE = "legal-notice", _("Legal notice")
        PERSONAL_DATA = "personal-data", _("Personal data")

    slug = models.SlugField(_("page"), max_length=40, unique=True, choices=Kind.choices)
    title_fr = models.CharField(_("title in French"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    body_fr = models.TextField(_("text in French"), help_text=_("Markdown."))
    body_en = models.TextField(
        _("text in English"), blank=True, help_text=_("Markdown. Empty: the French text.")
    )
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)

    class Meta:
        verbose_name = _("site page")
        verbose_name_plural = _("site pages")
        ordering = ["slug"]

    def __str__(self):
        return self.title_fr

    def title_in(self, language: str) -> str:
        return self.title_en if language.startswith("en") and self.title_en else self.title_fr

    def body_in(self, language: str) -> str:
        return self.body_en if language.startswith("en") and self.body_en.strip() else self.body_fr
