"""Questions: asking, routing, answering, accepting, editing, deleting; each rejection's message."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.moderation.charter import CharterNotAccepted
from intranet.moderation.models import CharterVersion
from intranet.notifications.models import Kind, Notification
from intranet.questions import services
from intranet.questions.access import visible_answers
from intranet.questions.models import Answer, Question, Route
from intranet.search.models import IndexEntry

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask through the service and run the after-commit routing, as a request would."""

    def do_ask(actor, theme, title="Combien de temps garder les CV ?", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.question_ask(actor, theme=theme, title=title, **kwargs)

    return do_ask


def routed(kind=Kind.QUESTION_ROUTED):
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_question_goes_to_department_ambassadors_and_willing_experts(
    ask, alice, theme, ambassador, far_ambassador, expert, shy_expert
):
    question = ask(alice, theme, body="Pour un **recrutement**")
    assert question.body_html.strip() == "<p>Pour un <strong>recrutement</strong></p>"
    assert routed() == {"bob", "eve"}  # not dora (other department), not fred (no requests)
    assert set(question.topics.values_list("key", flat=True)) == {"rgpd"}
    route = Route.objects.get(agent=ambassador)
    assert route.as_ambassador and route.stage == 0
    assert IndexEntry.objects.filter(kind="question", object_id=question.pk).exists()


def test_ambassadors_of_the_direction_above_serve_its_offices(
    ask, staff, theme, ambassador, finance
):
    from tests.factories import UserFactory, make_department

    office = make_department("Bureau du budget", parent=finance)
    gina = UserFactory(username="gina", department=office)
    ask(gina, theme)
    assert routed() == {"bob"}  # bob: ambassador of Finance, above the office


def test_routing_never_notifies_the_asker(ask, ambassador, theme):
    ask(ambassador, theme)
    assert routed() == set()


def test_routing_happens_only_after_commit(
    alice, theme, ambassador, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.question_ask(alice, theme=theme, title="Question ?")
    assert callbacks and not Notification.objects.filter(kind=Kind.QUESTION_ROUTED).exists()


def test_group_question_is_routed_only_to_those_who_may_see_it(
    ask, alice, theme, ambassador, expert
):
    group = group_services.group_create(alice, name="Cellule", policy=Group.Policy.SECRET)
    group_services._add_member(group, expert)
    ask(alice, theme, group=group)
    assert routed() == {"eve"}  # bob is not a member of the secret group


def test_asking_in_a_group_needs_membership(alice, carol, theme):
    group = group_services.group_create(alice, name="Cellule", policy=Group.Policy.OPEN)
    with pytest.raises(PermissionDenied):
        services.question_ask(carol, theme=theme, title="Question ?", group=group)


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("", "Write your question."),
        ("  \x00 ", "Write your question."),
        ("x" * 201, "The question is too long: 201 characters, the limit is 200."),
    ],
)
def test_bad_titles_are_refused_with_a_message(alice, theme, title, message):
    with pytest.raises(ValidationError) as error:
        services.question_ask(alice, theme=theme, title=title)
    assert error.value.messages == [message]
    assert not Question.objects.exists()


def test_inactive_theme_is_refused(alice, theme):
    theme.is_active = False
    theme.save()
    with pytest.raises(ValidationError, match=r"Choose a theme\."):
        services.question_ask(alice, theme=theme, title="Question ?")


def test_markdown_script_is_never_executed(alice, theme):
    question = services.question_ask(
        alice,
        theme=theme,
        title="<script>alert(1)</script>",
        body="<script>x</script>[a](javascript:alert(1))",
    )
    assert "<script" not in question.body_html and 'href="javascript' not in question.body_html


def test_idempotency_key_gives_the_same_question(alice, theme):
    first = services.question_ask(alice, theme=theme, title="Q ?", idempotency_key="k1")
    again = services.question_ask(alice, theme=theme, title="Q ?", idempotency_key="k1")
    assert first.pk == again.pk and Question.objects.count() == 1


def test_charter_must_be_accepted_before_asking(alice, theme, staff):
    CharterVersion.objects.create(body="Soyons courtois.", published_by=staff)
    with pytest.raises(CharterNotAccepted):
        services.question_ask(alice, theme=theme, title="Q ?")


def test_first_answer_records_time_and_notifies_the_asker(ask, alice, theme, ambassador):
    question = ask(alice, theme)
    answer = services.answer_create(ambassador, question.pk, body="Deux ans.")
    second = services.answer_create(alice, question.pk, body="Merci !")
    question.refresh_from_db()
    assert question.first_answer_at == answer.created_at < second.created_at
    assert question.time_to_first_answer == answer.created_at - question.created_at
    (notification,) = Notification.objects.filter(kind=Kind.ANSWER_RECEIVED)
    assert notification.recipient == alice and notification.target == answer


def test_routed_question_is_emailed_with_its_link(ask, alice, theme, ambassador):
    from django.core import mail

    from intranet.notifications.tasks import send_notification_email

    question = ask(alice, theme)
    notification = Notification.objects.get(kind=Kind.QUESTION_ROUTED)
    assert notification.channel == "email"  # routed questions go out at once by default
    assert send_notification_email.call(notification.pk) is True
    (message,) = mail.outbox
    assert message.to == [ambassador.email]
    assert f"/questions/{question.pk}/" in message.body and question.title in message.subject


def test_empty_answer_is_refused(alice, theme, carol):
    question = services.question_ask(alice, theme=theme, title="Q ?")
    with pytest.raises(ValidationError, match=r"Write your answer before publishing\."):
        services.answer_create(carol, question.pk, body="  ")


def test_asker_accepts_and_can_change_the_accepted_answer(alice, theme, carol, ambassador):
    question = services.question_ask(alice, theme=theme, title="Q ?")
    first = services.answer_create(carol, question.pk, body="Un an.")
    second = services.answer_create(ambassador, question.pk, body="Deux ans.")
    services.answer_accept(alice, first.pk)
    services.answer_accept(alice, second.pk)
    assert list(Answer.objects.filter(is_accepted=True)) == [second]
    assert set(visible_answers(carol).filter(is_accepted=True)) == {second}
    assert routed(Kind.ANSWER_ACCEPTED) == {"carol", "bob"}
    services.answer_unaccept(alice, second.pk)
    assert not Answer.objects.filter(is_accepted=True).exists()


def test_only_asker_or_staff_accepts(alice, theme, carol, staff):
    question = services.question_ask(alice, theme=theme, title="Q ?")
    answer = services.answer_create(carol, question.pk, body="Un an.")
    with pytest.raises(PermissionDenied):
        services.answer_accept(carol, answer.pk)
    services.answer_accept(staff, answer.pk)
    assert Answer.objects.get().is_accepted


def test_edits_are_marked_and_only_by_the_author(alice, theme, carol):
    question = services.question_ask(alice, theme=theme, title="Q ?")
    answer = services.answer_create(carol, question.pk, body="Un an.")
    with pytest.raises(PermissionDenied):
        services.answer_edit(alice, answer.pk, body="Changé")
    with pytest.raises(PermissionDenied):
        services.question_edit(carol, question.pk, title="Changé ?")
    assert services.answer_edit(carol, answer.pk, body="Deux ans.").edited_at is not None
    assert services.question_edit(alice, question.pk, title="Q2 ?").edited_at is not None


def test_soft_delete_by_author_or_moderator(alice, theme, carol, staff):
    question = services.question_ask(alice, theme=theme, title="Q ?")
    answer = services.answer_create(carol, question.pk, body="Un an.")
    services.answer_accept(alice, answer.pk)
    with pytest.raises(PermissionDenied):
        services.answer_delete(alice, answer.pk)  # the asker is not a moderator
    deleted = services.answer_delete(staff, answer.pk)
    assert deleted.deleted_at and not deleted.is_accepted
    with pytest.raises(Http404):
        services.answer_edit(carol, answer.pk, body="x")
    services.question_delete(alice, question.pk)
    with pytest.raises(Http404):
        services.answer_create(carol, question.pk, body="Trop tard")


def test_group_moderator_deletes_answers_in_their_group(alice, carol, theme):
    group = group_services.group_create(alice, name="Cellule", policy=Group.Policy.OPEN)
    question = services.question_ask(alice, theme=theme, title="Q ?", group=group)
    answer = services.answer_create(carol, question.pk, body="Hors sujet")
    services.answer_delete(alice, answer.pk)  # alice owns the group
    assert Answer.objects.get().deleted_at is not None


def test_archived_group_questions_are_read_only(alice, carol, theme):
    group = group_services.group_create(alice, name="Cellule", policy=Group.Policy.OPEN)
    question = services.question_ask(alice, theme=theme, title="Q ?", group=group)
    group_services.group_archive(alice, group)
    with pytest.raises(PermissionDenied):
        services.answer_create(carol, question.pk, body="Un an.")


@pytest.mark.parametrize("bad_id", ["abc", "-1", "0", str(2**70), None])
def test_forged_ids_are_404(alice, bad_id):
    with pytest.raises(Http404):
        services.answer_create(alice, bad_id, body="x")
    with pytest.raises(Http404):
        services.answer_accept(alice, bad_id)
