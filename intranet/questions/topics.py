"""Questions carry #topics (their theme's): visible with the question (questions.access)."""

from intranet.questions.access import visible_questions
from intranet.questions.models import Question
from intranet.topics.access import topic_carrier_register


def visible_question_topics(actor):
    """(question, topic) rows of the questions actor may see."""
    return Question.topics.through.objects.filter(question__in=visible_questions(actor))


topic_carrier_register("questions", visible_question_topics)
