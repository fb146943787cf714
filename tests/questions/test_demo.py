"""The questions demo: through the services, on existing themes, idempotent."""

import io

from intranet.questions.demo import seed
from intranet.questions.models import Answer, Question


def test_without_themes_nothing_is_created(db):
    out = io.StringIO()
    seed(out)
    assert "no theme yet" in out.getvalue() and not Question.objects.exists()


def test_questions_on_existing_themes_once(alice, carol, theme, ambassador, expert):
    out = io.StringIO()
    seed(out)
    assert Question.objects.count() == 2  # the two RGPD questions: the only theme here
    accepted = Answer.objects.filter(is_accepted=True)
    assert accepted.count() == 2
    assert all(q.first_answer_at is not None for q in Question.objects.all())
    seed(out)
    assert Question.objects.count() == 2 and "already present" in out.getvalue()
