"""Reports on content, and the versioned charter agents accept before writing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("to review")
        HIDDEN = "hidden", _("content hidden")
        DISMISSED = "dismissed", _("dismissed")
        RESTORED = "restored", _("content restored")

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("offensive or abusive")
        PERSONAL_DATA = "personal_data", _("personal data exposed")
        CONFIDENTIAL = "confidential", _("confidential information")
        SPAM = "spam", _("spam or off-topic")
        OTHER = "other", _("other")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey("stream.Post", null=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        "stream.Comment", null=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey("groups.Group", null=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    details = models.CharField(_("details"), max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False) | Q(comment__isnull=False),
                name="moderation_report_has_target",
            ),
            # Two partial constraints rather than one with nulls_distinct=False, which
            # SQLite cannot enforce: one open report per reporter and post, and per comment.
            models.UniqueConstraint(
                fields=["reporter", "post"],
                condition=Q(status="open", comment__isnull=True),
                name="moderation_one_open_report_per_post",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(status="open", comment__isnull=False),
                name="moderation_one_open_report_per_comment",
            ),
        ]
        indexes = [models.Index(fields=["status", "group", "-created_at"])]


class CharterVersion(models.Model):
    """A published version of the charter; the newest is the one in force."""

    body = models.TextField(_("text (Markdown)"))
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("charter version")
        verbose_name_plural = _("charter versions")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return f"{self.published_at:%Y-%m-%d}"


class CharterAcceptance(models.Model):
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "version"], name="moderation_accept_once")
        ]
