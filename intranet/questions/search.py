"""Questions and answers as search documents; an answer's access follows its question.

Tokens (see intranet.search.registry): "all" for organisation-wide questions, "g:<id>" for
questions asked in group id (held by its members, and by everyone for open groups: the
groups app declares those tokens). Every hit is re-checked with visible_questions /
visible_answers before display.
"""

from django.utils.translation import gettext_lazy as _

from intranet.questions import access
from intranet.questions.models import Answer, Question
from intranet.search.registry import TOKEN_EVERYONE, Document, DocumentType, register


def question_tokens(question: Question) -> tuple[str, ...]:
    return (f"g:{question.group_id}",) if question.group_id else (TOKEN_EVERYONE,)


@register
class QuestionDocuments(DocumentType):
    kind = "question"
    label = _("Questions")
    model = Question
    markdown = True

    def indexable(self):
        return Question.objects.filter(deleted_at__isnull=True).select_related("author", "theme")

    def document(self, question) -> Document:
        return Document(
            kind=self.kind,
            pk=question.pk,
            title=question.title,
            body=f"{question.theme.name}\n{question.body}",
            acl=question_tokens(question),
            author_id=question.author_id,
            group_id=question.group_id,
            department_id=question.department_id,
            created_at=question.created_at,
        )

    def visible(self, actor):
        return access.visible_questions(actor).select_related("author", "theme", "group")

    def dependents(self, question):
        return [("answer", pk) for pk in question.answers.values_list("pk", flat=True)]

    def url_name(self, question):
        return "questions:question-detail", [question.pk]

    def result_title(self, question) -> str:
        return question.title

    def result_text(self, question) -> str:
        return question.body

    def result_meta(self, question) -> str:
        return f"{question.theme.name} · {question.author.display_name}"


@register
class AnswerDocuments(DocumentType):
    kind = "answer"
    label = _("Answers")
    model = Answer
    markdown = True

    def indexable(self):
        return Answer.objects.filter(
            deleted_at__isnull=True, question__deleted_at__isnull=True
        ).select_related("question__theme")

    def document(self, answer) -> Document:
        question = answer.question
        return Document(
            kind=self.kind,
            pk=answer.pk,
            title=question.title,
            body=answer.body,
            acl=question_tokens(question),
            author_id=answer.author_id,
            group_id=question.group_id,
            department_id=question.department_id,
            created_at=answer.created_at,
        )

    def visible(self, actor):
        return access.visible_answers(actor).select_related("author", "question__theme")

    def url(self, answer):
        url = QuestionDocuments().url(answer.question)
        return f"{url}#answer-{answer.pk}" if url else None

    def result_title(self, answer) -> str:
        return answer.question.title

    def result_text(self, answer) -> str:
        return answer.body

    def result_meta(self, answer) -> str:
        accepted = _("accepted answer") if answer.is_accepted else _("answer")
        return f"{accepted} · {answer.author.display_name}"
