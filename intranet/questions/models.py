"""Questions asked on a theme, and their answers.

A question is organisation-wide, or asked in one group (then only that group's readers see
it). The asker accepts at most one answer (a partial unique constraint keeps it to one).
Deleting is soft. `first_answer_at` records when the first answer was stored (time to first
answer, for dashboards); `escalation_stage` records how far an unanswered question went
(0: routed in the asker's department, 1: other departments' ambassadors, 2: staff), so each
stage notifies once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intranet.core.text import MAX_BODY

MAX_TITLE = 200


class Question(models.Model):
    class Stage(models.IntegerChoices):
        ROUTED = 0, _("routed in the asker's department")
        OTHER_DEPARTMENTS = 1, _("escalated to the other departments")
        STAFF = 2, _("escalated to staff")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="questions_asked"
    )
    theme = models.ForeignKey(
        "experts.Theme", on_delete=models.PROTECT, related_name="questions", verbose_name=_("theme")
    )
    group = models.ForeignKey(
        "groups.Group",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("group"),
    )
    department = models.ForeignKey(
        "departments.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The asker's department when asking: routing starts there.",
    )
    title = models.CharField(_("question"), max_length=MAX_TITLE)
    body = models.TextField(_("details"), max_length=MAX_BODY, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    topics = models.ManyToManyField("topics.Topic", blank=True, related_name="questions")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_answer_at = models.DateTimeField(null=True, blank=True)
    escalation_stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.ROUTED)
    escalated_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="questions_question_idempotent",
            ),
        ]
        indexes = [
            models.Index(fields=["theme", "-id"], name="questions_theme_recent"),
            models.Index(fields=["author", "-id"], name="questions_author_recent"),
            models.Index(
                fields=["escalation_stage", "created_at"],
                condition=Q(first_answer_at__isnull=True, deleted_at__isnull=True),
                name="questions_waiting",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None

    @property
    def time_to_first_answer(self):
        if self.first_answer_at is None:
            return None
        return self.first_answer_at - self.created_at


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="answers_given"
    )
    body = models.TextField(_("answer"), max_length=MAX_BODY)
    body_html = models.TextField(editable=False)
    is_accepted = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_accepted=True),
                name="questions_one_accepted_answer",
            ),
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="questions_answer_idempotent",
            ),
            models.CheckConstraint(
                condition=Q(is_accepted=False) | Q(deleted_at__isnull=True),
                name="questions_deleted_answer_not_accepted",
            ),
        ]
        indexes = [
            models.Index(fields=["question", "id"], name="questions_answer_order"),
            models.Index(
                fields=["author"], condition=Q(is_accepted=True), name="questions_accepted_by"
            ),
        ]

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"

    @property
    def is_live(self) -> bool:
        return self.deleted_at is None


class Route(models.Model):
    """An agent a question was passed to, and at which stage (for "routed to me")."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="routes")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="question_routes"
    )
    stage = models.PositiveSmallIntegerField(choices=Question.Stage.choices)
    as_ambassador = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "agent"], name="questions_route_once")
        ]
        indexes = [models.Index(fields=["agent", "-question"], name="questions_routed_to")]
