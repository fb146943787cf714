"""A learning path, its ordered steps, each member's progress and the cohorts following it.

A step points to one target of the path's group (a wiki page, a document, a session, a
poll), a question, or an external link on an allowed host. Only the target's kind and id
are stored: its title is read through the target app's access functions when shown, so a
viewer who may not see the target never reads it here. Progress is one row per (step,
agent): ticking twice, or two requests at once, keep one.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_STEPS = 100
MAX_URL = 500


class LearningPath(models.Model):
    group = models.ForeignKey(
        "groups.Group", on_delete=models.CASCADE, related_name="learning_paths"
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    description = models.TextField(_("description"), blank=True, max_length=MAX_DESCRIPTION)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["group", "title"], name="path_group_title")]

    def __str__(self):
        return self.title


class Step(models.Model):
    class Kind(models.TextChoices):
        WIKI = "wiki", _("wiki page")
        DOCUMENT = "document", _("document")
        EVENT = "event", _("session")
        QUESTION = "question", _("question")
        POLL = "poll", _("poll")
        LINK = "link", _("link")

    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Only for links: the address and the animator's label (other kinds show the target's).
    url = models.URLField(max_length=MAX_URL, blank=True)
    label = models.CharField(max_length=MAX_TITLE, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["path", "position"], name="step_unique_position"),
            models.CheckConstraint(
                condition=(models.Q(kind="link") & ~models.Q(url=""))
                | (~models.Q(kind="link") & models.Q(target_id__isnull=False)),
                name="step_has_target",
            ),
        ]
        indexes = [models.Index(fields=["kind", "target_id"], name="step_target")]


class Progress(models.Model):
    class Source(models.TextChoices):
        TICKED = "ticked", _("ticked by the member")
        ATTENDED = "attended", _("attended the session")
        VOTED = "voted", _("answered the poll")

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="progress")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.TICKED)
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "agent"], name="progress_one_per_agent"),
        ]
        indexes = [models.Index(fields=["agent", "step"], name="progress_agent")]


class Cohort(models.Model):
    path = models.ForeignKey(LearningPath, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(_("name"), max_length=MAX_TITLE)
    starts_on = models.DateField(_("start date"))
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CohortMember", related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["path", "name"], name="cohort_unique_name"),
        ]

    def __str__(self):
        return self.name


class CohortMember(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "agent"], name="cohortmember_unique"),
        ]
