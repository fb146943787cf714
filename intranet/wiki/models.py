"""Wiki pages of a group and every version of them.

A page's `version` is the number of its latest version: an edit states the version it
started from and is refused when the page has moved on (optimistic locking).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TITLE = 200
MAX_BODY = 100_000


class WikiPage(models.Model):
    class Editors(models.TextChoices):
        MEMBERS = "members", _("the group's members")
        ANIMATORS = "animators", _("the group's animators only")

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="wiki_pages")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    title_key = models.CharField(max_length=MAX_TITLE, editable=False)
    slug = models.SlugField(max_length=220)
    body = models.TextField(_("text"), blank=True, max_length=MAX_BODY)
    editors = models.CharField(
        _("who may edit"), max_length=10, choices=Editors.choices, default=Editors.MEMBERS
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    announced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("wiki page")
        constraints = [
            models.UniqueConstraint(fields=["group", "slug"], name="wiki_page_unique_slug"),
            models.UniqueConstraint(fields=["group", "title_key"], name="wiki_page_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class WikiVersion(models.Model):
    page = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=MAX_TITLE)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.CharField(_("summary of the change"), max_length=200, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wiki page version")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="wiki_version_unique_number"),
        ]
