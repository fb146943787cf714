"""Questions and answers as notification targets, re-checked through the questions access."""

from django.urls import reverse

from intranet.notifications.targets import Target, target_register
from intranet.questions.access import visible_answers, visible_questions
from intranet.questions.models import Answer, Question


def question_url(question: Question) -> str:
    return reverse("questions:question-detail", args=[question.pk])


def answer_url(answer: Answer) -> str:
    return f"{reverse('questions:question-detail', args=[answer.question_id])}#answer-{answer.pk}"


target_register(
    Target(model=Question, visible=visible_questions, url=question_url, label=lambda q: q.title)
)
target_register(
    Target(
        model=Answer,
        visible=visible_answers,
        url=answer_url,
        label=lambda a: a.question.title,
        related=("question",),
    )
)
