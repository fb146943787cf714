"""Reads of questions: lists (mine, routed to me, by theme, unanswered), a question's answers,
and a theme's FAQ. Every list starts from the access model's visible_* querysets."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from intranet.documents.cards import cards_attach
from intranet.experts.models import Theme
from intranet.questions.access import visible_answers, visible_questions
from intranet.questions.models import Answer, Question, Route

LIST_FILTERS = ("all", "mine", "routed", "unanswered")
PAGE_SIZE = 30


def _accepted(actor):
    return Prefetch(
        "answers",
        queryset=visible_answers(actor).filter(is_accepted=True).select_related("author"),
        to_attr="accepted_answers",
    )


def answered_by_others() -> QuerySet[Answer]:
    """Live answers to the outer question (OuterRef) by someone else than its asker, or
    accepted: a question without any is still waiting (lists, escalation)."""
    return Answer.objects.filter(question=OuterRef("pk"), deleted_at__isnull=True).filter(
        ~Q(author=OuterRef("author")) | Q(is_accepted=True)
    )


def waiting_questions():
    """Live questions without a live answer from someone else, nor an accepted answer."""
    return Question.objects.filter(deleted_at__isnull=True).exclude(Exists(answered_by_others()))


def question_list(actor, *, show: str = "all", theme: Theme | None = None) -> QuerySet[Question]:
    """Questions actor may see, newest first, with live answer counts and accepted state."""
    questions = visible_questions(actor)
    if show == "mine":
        questions = questions.filter(author_id=actor.pk)
    elif show == "routed":
        questions = questions.filter(
            Exists(Route.objects.filter(question=OuterRef("pk"), agent_id=actor.pk))
        )
    elif show == "unanswered":
        questions = questions.exclude(Exists(answered_by_others()))
    if theme is not None:
        questions = questions.filter(theme=theme)
    accepted = Answer.objects.filter(
        question=OuterRef("pk"), is_accepted=True, deleted_at__isnull=True
    )
    return (
        questions.select_related("author", "theme", "group")
        .annotate(
            answer_count=Count("answers", filter=Q(answers__deleted_at__isnull=True)),
            is_answered=Exists(accepted),
        )
        .order_by("-pk")
    )


def question_answers(actor, question: Question) -> list[Answer]:
    """The question's live answers: the accepted one first, then oldest first, each with
    the cards of the documents it links to that actor may see (one query for all)."""
    answers = list(
        visible_answers(actor)
        .filter(question=question)
        .select_related("author")
        .order_by("-is_accepted", "pk")
    )
    return cards_attach(actor, answers)


def theme_faq(actor, theme: Theme) -> list[Question]:
    """Questions on theme that have an accepted answer, each with it (`accepted_answers`)."""
    accepted = visible_answers(actor).filter(question=OuterRef("pk"), is_accepted=True)
    return list(
        visible_questions(actor)
        .filter(theme=theme)
        .filter(Exists(accepted))
        .select_related("author", "group")
        .prefetch_related(_accepted(actor))
        .order_by("-pk")
    )


def active_themes() -> QuerySet[Theme]:
    return Theme.objects.filter(is_active=True).order_by("name")


def agent_accepted_answers(actor, agent, *, limit: int = 5) -> QuerySet[Answer]:
    """Accepted answers agent wrote that actor may see, latest first, for their profile."""
    answers = visible_answers(actor).filter(author=agent, is_accepted=True)
    return answers.select_related("question", "question__theme").order_by("-accepted_at")[:limit]
