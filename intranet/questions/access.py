"""Who may see and do what with questions and answers. The only place that decides it.

Rules:
- a live question (not deleted) asked outside groups is visible to every active agent;
- a question asked in a group is visible to that group's readers (intranet.groups.access:
  its members, every active agent when the group is open, staff);
- an answer is visible with its question (deleted answers to nobody);
- anyone who may see a question may answer it (experts are rarely members of the asker's
  group), unless its group is archived; only members ask in a group;
- the asker (or staff) accepts an answer; authors edit their own text; authors, staff and
  the group's moderators delete.
An object the actor may not see is answered with 404, exactly like a missing one.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from intranet.groups import access as group_access
from intranet.questions.models import Answer, Question


def visible_questions_q(actor, prefix: str = "") -> Q:
    """A Q (on Question, or on a relation to it through prefix) for questions actor may read."""
    group = f"{prefix}group"
    return Q(**{f"{group}__isnull": True}) | group_access.readable_group_ids_q(actor, group)


def visible_questions(actor) -> QuerySet[Question]:
    if not group_access.is_active_agent(actor):
        return Question.objects.none()
    questions = Question.objects.filter(deleted_at__isnull=True)
    if actor.is_staff:
        return questions
    return questions.filter(visible_questions_q(actor))


def visible_answers(actor) -> QuerySet[Answer]:
    """Live answers to questions actor may see (accepted ones: `.filter(is_accepted=True)`)."""
    if not group_access.is_active_agent(actor):
        return Answer.objects.none()
    answers = Answer.objects.filter(deleted_at__isnull=True, question__deleted_at__isnull=True)
    if actor.is_staff:
        return answers
    return answers.filter(visible_questions_q(actor, "question__"))


def can_see_question(actor, question: Question) -> bool:
    if not group_access.is_active_agent(actor) or not question.is_live:
        return False
    if actor.is_staff or question.group_id is None:
        return True
    return group_access.can_read_group_content(actor, question.group)


def question_audience(question: Question) -> QuerySet:
    """Active agents who may see question (routing and escalation notify only them)."""
    from intranet.accounts.models import User
    from intranet.groups.models import Group

    agents = User.objects.filter(is_active=True)
    if question.group_id is None or question.group.policy == Group.Policy.OPEN:
        return agents
    return agents.filter(Q(is_staff=True) | Q(memberships__group_id=question.group_id)).distinct()


def _writable(question: Question) -> bool:
    return question.group_id is None or not question.group.is_archived


def can_ask_in_group(actor, group) -> bool:
    return group is None or group_access.can_post_in_group(actor, group)


def can_answer_question(actor, question: Question) -> bool:
    return can_see_question(actor, question) and _writable(question)


def can_moderate_question(actor, question: Question) -> bool:
    if not group_access.is_active_agent(actor):
        return False
    if actor.is_staff:
        return True
    return question.group_id is not None and group_access.can_moderate_group(actor, question.group)


def can_edit_question(actor, question: Question) -> bool:
    return (
        can_see_question(actor, question) and question.author_id == actor.pk and _writable(question)
    )


def can_delete_question(actor, question: Question) -> bool:
    return (
        can_see_question(actor, question)
        and (question.author_id == actor.pk or can_moderate_question(actor, question))
        and _writable(question)
    )


def can_accept_answer(actor, question: Question) -> bool:
    return (
        can_see_question(actor, question)
        and (question.author_id == actor.pk or actor.is_staff)
        and _writable(question)
    )


def can_edit_answer(actor, answer: Answer) -> bool:
    return (
        answer.is_live
        and can_see_question(actor, answer.question)
        and answer.author_id == actor.pk
        and _writable(answer.question)
    )


def can_delete_answer(actor, answer: Answer) -> bool:
    return (
        answer.is_live
        and can_see_question(actor, answer.question)
        and (answer.author_id == actor.pk or can_moderate_question(actor, answer.question))
        and _writable(answer.question)
    )


def _pk(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def access_question(actor, question_id, *, for_write: bool = False) -> Question:
    """The question if actor may see it (404 otherwise); for_write: its author (403)."""
    question = (
        Question.objects.select_related("author", "theme", "group", "department")
        .filter(pk=_pk(question_id))
        .first()
    )
    if question is None or not can_see_question(actor, question):
        raise Http404
    if for_write and not can_edit_question(actor, question):
        raise PermissionDenied
    return question


def access_answer(actor, answer_id, *, for_write: bool = False) -> Answer:
    """The answer if actor may see it (404 otherwise); for_write: its author (403)."""
    answer = (
        Answer.objects.select_related("author", "question__group", "question__theme")
        .filter(pk=_pk(answer_id), deleted_at__isnull=True)
        .first()
    )
    if answer is None or not can_see_question(actor, answer.question):
        raise Http404
    if for_write and not can_edit_answer(actor, answer):
        raise PermissionDenied
    return answer
