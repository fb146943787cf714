"""Themes curated by staff and the ambassadors who carry them in each department."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """A subject the organisation wants covered everywhere (Numérique, RGPD, ...)."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    skills = models.ManyToManyField(
        "skills.Skill", related_name="themes", blank=True, verbose_name=_("skills")
    )
    topics = models.ManyToManyField(
        "topics.Topic", related_name="themes", blank=True, verbose_name=_("topics")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Ambassador(models.Model):
    """An agent carrying a theme in a department, once they accepted the invitation."""

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        ACTIVE = "active", _("active")
        DECLINED = "declined", _("declined")
        ENDED = "ended", _("ended")

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="ambassadors")
    department = models.ForeignKey(
        "departments.Department", on_delete=models.CASCADE, related_name="ambassadors"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ambassador_roles"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ambassador")
        verbose_name_plural = _("ambassadors")
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "department", "agent"],
                condition=Q(status__in=["invited", "active"]),
                name="experts_one_open_ambassadorship",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="experts_ambassador_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["theme", "department", "status"])]

    def __str__(self):
        return f"{self.agent} – {self.theme} ({self.department})"
