"""Every write on questions: asking, routing, answering, accepting, editing, deleting, escalating.

Routing and escalation notify only agents who may see the question (access.question_audience)
and record each agent once in Route, so no stage ever notifies the same agent twice.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.models import User
from intranet.core import text
from intranet.core.markdown import render_markdown
from intranet.experts.models import Theme
from intranet.experts.selectors import serving_ambassadors, theme_experts
from intranet.groups import access as group_access
from intranet.moderation.charter import charter_require
from intranet.notifications.models import Kind
from intranet.notifications.services import notify, notify_many
from intranet.questions import access
from intranet.questions.models import MAX_TITLE, Answer, Question, Route
from intranet.questions.selectors import waiting_questions
from intranet.search.services import search_index_later


def clean_title(title: str) -> str:
    title = " ".join((title or "").replace("\x00", "").split())
    if not title:
        raise ValidationError(_("Write your question."), code="empty")
    if len(title) > MAX_TITLE:
        raise ValidationError(
            _("The question is too long: %(length)d characters, the limit is %(limit)d.")
            % {"length": len(title), "limit": MAX_TITLE},
            code="too_long",
        )
    return title


def clean_body(body: str, *, required: bool) -> str:
    return text.clean_body(
        body, empty_message=_("Write your answer before publishing.") if required else None
    )


def _writer(actor) -> None:
    if not group_access.is_active_agent(actor):
        raise PermissionDenied
    charter_require(actor)


@transaction.atomic
def question_ask(
    actor, *, theme: Theme, title: str, body: str = "", group=None, idempotency_key: str = ""
) -> Question:
    """Ask a question on theme (in group, or organisation-wide); routed after commit."""
    _writer(actor)
    key = (idempotency_key or "")[:64]
    if key:
        existing = Question.objects.filter(author=actor, idempotency_key=key).first()
        if existing is not None:
            return existing
    if theme is None or not theme.is_active:
        raise ValidationError(_("Choose a theme."), code="theme")
    if not access.can_ask_in_group(actor, group):
        raise PermissionDenied
    title, body = clean_title(title), clean_body(body, required=False)
    try:
        with transaction.atomic():
            question = Question.objects.create(
                author=actor,
                theme=theme,
                group=group,
                department=actor.department,
                title=title,
                body=body,
                body_html=str(render_markdown(body)),
                idempotency_key=key,
            )
    except IntegrityError:
        # A concurrent retry with the same key won the race: return its question.
        return Question.objects.get(author=actor, idempotency_key=key)
    question.topics.set(theme.topics.all())
    search_index_later(question)
    # robust: a routing failure is logged and never turns the saved question into an error
    # page; escalation still reaches the other departments and staff later.
    pk = question.pk
    transaction.on_commit(lambda: question_route(pk), robust=True)
    return question


def _route(question: Question, agents, *, stage: int, kind: str, ambassadors=()) -> int:
    """Notify agents (a User queryset) who may see question and were never routed it."""
    already = Route.objects.filter(question=question, agent=OuterRef("pk"))
    recipients = list(
        agents.filter(pk__in=access.question_audience(question).values("pk"))
        .exclude(pk=question.author_id)
        .exclude(Exists(already))
        .values_list("pk", flat=True)
        .distinct()
    )
    if not recipients:
        return 0
    Route.objects.bulk_create(
        [
            Route(question=question, agent_id=pk, stage=stage, as_ambassador=pk in ambassadors)
            for pk in recipients
        ],
        ignore_conflicts=True,
    )
    notify_many(
        User.objects.filter(pk__in=recipients), kind, actor=question.author, target=question
    )
    return len(recipients)


@transaction.atomic
def question_route(question_id: int, *, on=None) -> int:
    """First routing: the theme's serving ambassadors of the asker's department, its experts."""
    question = Question.objects.select_related("theme", "group", "author", "department").get(
        pk=question_id
    )
    if not question.is_live:
        return 0
    count = 0
    if question.department_id is not None:
        # The asker's department and those above it: an ambassador of a direction also
        # serves its offices.
        chain = [*question.department.ancestor_ids(), question.department_id]
        ambassadors = serving_ambassadors(question.theme, on=on).filter(department_id__in=chain)
        ids = set(ambassadors.values_list("agent_id", flat=True))
        agents = User.objects.filter(pk__in=ids)
        count += _route(question, agents, stage=0, kind=Kind.QUESTION_ROUTED, ambassadors=ids)
    count += _route(question, theme_experts(question.theme), stage=0, kind=Kind.QUESTION_ROUTED)
    return count


@transaction.atomic
def question_edit(actor, question_id, *, title: str, body: str = "") -> Question:
    question = access.access_question(actor, question_id, for_write=True)
    title, body = clean_title(title), clean_body(body, required=False)
    if (title, body) == (question.title, question.body):
        return question
    question.title, question.body = title, body
    question.body_html, question.edited_at = str(render_markdown(body)), timezone.now()
    question.save(update_fields=["title", "body", "body_html", "edited_at"])
    search_index_later(question)
    for answer in question.answers.filter(deleted_at__isnull=True):
        search_index_later(answer)
    return question


@transaction.atomic
def question_delete(actor, question_id) -> Question:
    question = access.access_question(actor, question_id)
    if not access.can_delete_question(actor, question):
        raise PermissionDenied
    question.deleted_at, question.deleted_by = timezone.now(), actor
    question.save(update_fields=["deleted_at", "deleted_by"])
    search_index_later(question)
    for answer in question.answers.all():
        search_index_later(answer)
    return question


@transaction.atomic
def answer_create(actor, question_id, *, body: str, idempotency_key: str = "") -> Answer:
    """Answer a question; the first answer records the time to first answer."""
    _writer(actor)
    question = access.access_question(actor, question_id)
    if not access.can_answer_question(actor, question):
        raise PermissionDenied
    key = (idempotency_key or "")[:64]
    if key:
        existing = Answer.objects.filter(author=actor, idempotency_key=key).first()
        if existing is not None:
            return existing
    body = clean_body(body, required=True)
    try:
        with transaction.atomic():
            answer = Answer.objects.create(
                question=question,
                author=actor,
                body=body,
                body_html=str(render_markdown(body)),
                idempotency_key=key,
            )
    except IntegrityError:
        return Answer.objects.get(author=actor, idempotency_key=key)
    if actor.pk != question.author_id:  # the asker's own follow-up is not an answer
        Question.objects.filter(pk=question.pk, first_answer_at__isnull=True).update(
            first_answer_at=answer.created_at
        )
    search_index_later(answer)
    if access.can_see_question(question.author, question):
        notify(question.author, Kind.ANSWER_RECEIVED, actor=actor, target=answer)
    return answer


@transaction.atomic
def answer_edit(actor, answer_id, *, body: str) -> Answer:
    answer = access.access_answer(actor, answer_id, for_write=True)
    body = clean_body(body, required=True)
    if body == answer.body:
        return answer
    answer.body, answer.body_html = body, str(render_markdown(body))
    answer.edited_at = timezone.now()
    answer.save(update_fields=["body", "body_html", "edited_at"])
    search_index_later(answer)
    return answer


@transaction.atomic
def answer_delete(actor, answer_id) -> Answer:
    answer = access.access_answer(actor, answer_id)
    if not access.can_delete_answer(actor, answer):
        raise PermissionDenied
    answer.deleted_at, answer.deleted_by = timezone.now(), actor
    answer.is_accepted, answer.accepted_at = False, None
    answer.save(update_fields=["deleted_at", "deleted_by", "is_accepted", "accepted_at"])
    search_index_later(answer)
    search_index_later(answer.question)
    return answer


@transaction.atomic
def answer_accept(actor, answer_id) -> Answer:
    """The asker (or staff) accepts answer; accepting another one moves the mark."""
    answer = access.access_answer(actor, answer_id)
    question = answer.question
    if not access.can_accept_answer(actor, question):
        raise PermissionDenied
    if answer.is_accepted:
        return answer
    # Lock the question so two concurrent accepts cannot both clear and set.
    Question.objects.select_for_update().filter(pk=question.pk).first()
    Answer.objects.filter(question=question, is_accepted=True).update(
        is_accepted=False, accepted_at=None
    )
    answer.is_accepted, answer.accepted_at = True, timezone.now()
    answer.save(update_fields=["is_accepted", "accepted_at"])
    search_index_later(question)
    notify(answer.author, Kind.ANSWER_ACCEPTED, actor=actor, target=answer)
    return answer


@transaction.atomic
def answer_unaccept(actor, answer_id) -> Answer:
    answer = access.access_answer(actor, answer_id)
    if not access.can_accept_answer(actor, answer.question):
        raise PermissionDenied
    answer.is_accepted, answer.accepted_at = False, None
    answer.save(update_fields=["is_accepted", "accepted_at"])
    search_index_later(answer.question)
    return answer


def escalation_delay() -> timedelta:
    return timedelta(hours=settings.TRANSVERSE_QUESTION_ESCALATION_HOURS)


@transaction.atomic
def _escalate(question_id: int, *, stage: int, now) -> int:
    """Move one question to stage (once: a conditional update) and notify that stage."""
    moved = Question.objects.filter(pk=question_id, escalation_stage=stage - 1).update(
        escalation_stage=stage, escalated_at=now
    )
    if not moved:
        return 0  # another run got there first
    question = Question.objects.select_related("theme", "group", "author").get(pk=question_id)
    if stage == Question.Stage.OTHER_DEPARTMENTS:
        ambassadors = serving_ambassadors(question.theme, on=timezone.localdate(now))
        if question.department_id is not None:
            ambassadors = ambassadors.exclude(department_id=question.department_id)
        ids = set(ambassadors.values_list("agent_id", flat=True))
        agents = User.objects.filter(pk__in=ids)
    else:
        ids, agents = set(), User.objects.filter(is_staff=True)
    _route(question, agents, stage=stage, kind=Kind.QUESTION_ESCALATED, ambassadors=ids)
    return 1


def questions_escalate(*, now=None) -> int:
    """Escalate every question waiting longer than the delay; returns how many moved."""
    now = now or timezone.now()
    delay = escalation_delay()
    waiting = waiting_questions()
    first = waiting.filter(escalation_stage=Question.Stage.ROUTED, created_at__lte=now - delay)
    second = waiting.filter(
        escalation_stage=Question.Stage.OTHER_DEPARTMENTS, escalated_at__lte=now - delay
    )
    moved = 0
    for pk in list(second.values_list("pk", flat=True)):
        moved += _escalate(pk, stage=Question.Stage.STAFF, now=now)
    for pk in list(first.values_list("pk", flat=True)):
        moved += _escalate(pk, stage=Question.Stage.OTHER_DEPARTMENTS, now=now)
    return moved
