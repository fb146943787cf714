"""Escalation of unanswered questions: timing with a controllable clock, once per stage,
and the periodic job on the tasks framework."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intranet.core.models import ScheduledJob
from intranet.core.schedule import schedule_ensure
from intranet.notifications.models import Kind, Notification
from intranet.questions import services
from intranet.questions.models import Question, Route
from intranet.questions.tasks import ESCALATION_JOB

pytestmark = pytest.mark.usefixtures("english")
HOURS = 10


@pytest.fixture(autouse=True)
def _delay(settings):
    settings.TRANSVERSE_QUESTION_ESCALATION_HOURS = HOURS


@pytest.fixture
def question(alice, theme, ambassador, far_ambassador, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.question_ask(alice, theme=theme, title="Qui signe le registre ?")


def escalated_to():
    return set(
        Notification.objects.filter(kind=Kind.QUESTION_ESCALATED).values_list(
            "recipient__username", flat=True
        )
    )


def test_nothing_moves_before_the_delay(question):
    assert services.questions_escalate(now=question.created_at + timedelta(hours=HOURS - 1)) == 0
    assert escalated_to() == set()


def test_other_departments_then_staff_each_once(question, staff):
    start = question.created_at
    assert services.questions_escalate(now=start + timedelta(hours=HOURS)) == 1
    assert escalated_to() == {"dora"}  # bob (asker's department) was already routed
    assert services.questions_escalate(now=start + timedelta(hours=HOURS + 1)) == 0
    assert services.questions_escalate(now=start + timedelta(hours=2 * HOURS - 1)) == 0
    assert services.questions_escalate(now=start + timedelta(hours=2 * HOURS)) == 1
    assert escalated_to() == {"dora", "siteadmin"}
    assert services.questions_escalate(now=start + timedelta(hours=10 * HOURS)) == 0
    assert Notification.objects.filter(kind=Kind.QUESTION_ESCALATED).count() == 2
    assert Question.objects.get().escalation_stage == Question.Stage.STAFF
    assert set(Route.objects.values_list("agent__username", "stage")) == {
        ("bob", 0),
        ("dora", 1),
        ("siteadmin", 2),
    }


def test_one_run_moves_a_question_one_stage_only(question, staff):
    services.questions_escalate(now=question.created_at + timedelta(hours=5 * HOURS))
    assert Question.objects.get().escalation_stage == Question.Stage.OTHER_DEPARTMENTS
    assert escalated_to() == {"dora"}


def test_answered_questions_do_not_escalate(question, carol):
    services.answer_create(carol, question.pk, body="Le DPO.")
    assert services.questions_escalate(now=question.created_at + timedelta(hours=HOURS)) == 0


def test_the_askers_own_follow_up_is_not_an_answer(question, alice):
    services.answer_create(alice, question.pk, body="Précision : pour 2026.")
    assert Question.objects.get().first_answer_at is None
    assert services.questions_escalate(now=question.created_at + timedelta(hours=HOURS)) == 1


def test_an_accepted_own_answer_closes_the_question(question, alice):
    answer = services.answer_create(alice, question.pk, body="Trouvé : le DPO.")
    services.answer_accept(alice, answer.pk)
    assert services.questions_escalate(now=question.created_at + timedelta(hours=HOURS)) == 0


def test_a_deleted_answer_leaves_the_question_waiting(question, carol):
    answer = services.answer_create(carol, question.pk, body="Je ne sais pas.")
    services.answer_delete(carol, answer.pk)
    assert services.questions_escalate(now=question.created_at + timedelta(hours=HOURS)) == 1


def test_deleted_questions_do_not_escalate(question, alice):
    services.question_delete(alice, question.pk)
    assert services.questions_escalate(now=question.created_at + timedelta(hours=HOURS)) == 0


def test_escalation_respects_group_visibility(
    alice, theme, far_ambassador, staff, django_capture_on_commit_callbacks
):
    from intranet.groups import services as group_services
    from intranet.groups.models import Group

    group = group_services.group_create(alice, name="Cellule", policy=Group.Policy.CLOSED)
    question = services.question_ask(alice, theme=theme, title="Entre nous ?", group=group)
    services.questions_escalate(now=question.created_at + timedelta(hours=HOURS))
    assert escalated_to() == set()  # dora may not read the closed group's question
    services.questions_escalate(now=question.created_at + timedelta(hours=2 * HOURS))
    assert escalated_to() == {"siteadmin"}


@pytest.mark.django_db(transaction=True)
def test_the_periodic_job_escalates_through_the_task_worker(question):
    """The scheduled task runs in the real database worker and queues the next check."""
    Question.objects.filter(pk=question.pk).update(
        created_at=timezone.now() - timedelta(hours=HOURS + 1)
    )
    ScheduledJob.objects.filter(name=ESCALATION_JOB).delete()
    task_id = schedule_ensure(ESCALATION_JOB)
    DBTaskResult.objects.filter(pk=task_id).update(run_after=timezone.now() - timedelta(seconds=1))
    call_command("db_worker", batch=True, no_startup_delay=True, max_tasks=1, verbosity=0)
    assert DBTaskResult.objects.get(pk=task_id).status == "SUCCESSFUL"
    assert escalated_to() == {"dora"}
    following = ScheduledJob.objects.get(name=ESCALATION_JOB).task_id
    assert following != task_id and DBTaskResult.objects.get(pk=following).status == "READY"
