"""Accepted answers count as evidence in the expert finder (intranet.experts.evidence)."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import ngettext

from intranet.experts.evidence import EvidenceSource, Subject, evidence_register
from intranet.questions.access import visible_answers
from intranet.questions.models import Question


def answer_evidence(actor, subject: Subject) -> QuerySet:
    """(author, number of accepted answers) to questions with the subject's #topics (or on
    its theme), among the answers actor may see."""
    tagged = Question.topics.through.objects.filter(topic_id__in=[t.pk for t in subject.topics])
    on_subject = Q(question_id__in=tagged.values("question_id"))
    if subject.theme is not None:
        on_subject |= Q(question__theme=subject.theme)
    answers = visible_answers(actor).filter(on_subject, is_accepted=True)
    return answers.values_list("author_id").annotate(n=Count("pk", distinct=True)).order_by()


def answer_reason(n: int, topics: str) -> str:
    return ngettext(
        "%(n)d accepted answer on %(topics)s", "%(n)d accepted answers on %(topics)s", n
    ) % {"n": n, "topics": topics}


evidence_register(
    EvidenceSource(name="answers", weight=3, rows=answer_evidence, reason=answer_reason, order=10)
)
