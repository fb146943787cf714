"""The satisfaction survey: opened once a session has ended (the session-ended hook),
notified to its attendees, answered once per attendee (others get 404), anonymous, and its
results per session and per programme for the group's animators only."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone, translation

from intranet.events import services
from intranet.events.models import Event, Survey, SurveyAnswer, SurveyReply
from intranet.events.tasks import run_sessions_ended
from intranet.notifications.models import Kind, Notification
from intranet.notifications.targets import target_for
from tests.events.conftest import make_event

GOOD = {"satisfaction": "4", "usefulness": "5", "pace": "right", "recommend": "yes"}


def end(event):
    """Move event into the past, as if it had taken place."""
    starts = timezone.now() - timedelta(days=1)
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts, ends_at=starts + timedelta(minutes=event.duration_minutes)
    )
    event.refresh_from_db()
    return event


@pytest.fixture
def ended(training, bob, alice, dave):
    """A session that has ended: alice attended, dave registered but absent."""
    from intranet.groups.models import Membership

    Membership.objects.create(group=training, agent=dave)
    event = make_event(bob, training, capacity=5)
    services.event_register(alice, event)
    services.event_register(dave, event)
    services.attendance_set(bob, event, [str(alice.pk)])
    end(event)
    run_sessions_ended()
    return event


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";" if ";" in text.split("\n")[0] else ","))


def _url(event, name="survey-answer"):
    return reverse(f"events:{name}", args=[event.group.slug, event.pk])


def test_attendees_are_notified_once_with_a_link_to_the_survey(ended, alice, dave):
    note = Notification.objects.get(recipient=alice, kind=Kind.EVENT_SURVEY)
    assert note.channel == "email"  # the default for this kind, changeable in settings
    assert target_for(note.target).url(note.target) == _url(ended)
    assert not Notification.objects.filter(recipient=dave, kind=Kind.EVENT_SURVEY).exists()
    assert run_sessions_ended() == 0
    services.survey_send(ended, [alice])  # a second call of the hook sends nothing again
    assert Notification.objects.filter(kind=Kind.EVENT_SURVEY).count() == 1


def test_attendance_marked_after_the_survey_went_out_notifies_the_newly_present(
    ended, bob, alice, dave
):
    services.attendance_set(bob, ended, [str(alice.pk), str(dave.pk)])
    assert Notification.objects.filter(recipient=dave, kind=Kind.EVENT_SURVEY).count() == 1
    assert Notification.objects.filter(recipient=alice, kind=Kind.EVENT_SURVEY).count() == 1


def test_only_attendees_open_the_survey_others_get_404(client, ended, alice, bob, carol, dave):
    client.force_login(alice)
    assert client.get(_url(ended)).status_code == 200
    for agent in (bob, carol, dave):  # animator, outsider, registered but absent
        client.force_login(agent)
        assert client.get(_url(ended)).status_code == 404, agent
        assert client.post(_url(ended), GOOD).status_code == 404, agent
    assert not SurveyAnswer.objects.exists()


def test_no_survey_before_the_session_ends(client, session, alice, bob):
    services.event_register(alice, session)
    services.attendance_set(bob, session, [str(alice.pk)])
    client.force_login(alice)
    assert client.get(_url(session)).status_code == 404


def test_an_answer_is_stored_without_link_to_the_agent(client, ended, alice):
    client.force_login(alice)
    response = client.post(_url(ended), {**GOOD, "comment": "Très utile"})
    assert response.status_code == 302
    answer = SurveyAnswer.objects.get()
    assert (answer.satisfaction, answer.usefulness, answer.pace, answer.recommend) == (
        4,
        5,
        "right",
        True,
    )
    assert SurveyReply.objects.get().agent == alice
    columns = {f.column for f in SurveyAnswer._meta.concrete_fields}
    assert columns == {
        "id",
        "survey_id",
        "satisfaction",
        "usefulness",
        "pace",
        "recommend",
        "comment",
    }


def test_a_second_answer_is_refused(client, ended, alice):
    client.force_login(alice)
    client.post(_url(ended), GOOD)
    response = client.post(_url(ended), {**GOOD, "satisfaction": "1"}, follow=True)
    assert response.status_code == 200
    assert SurveyAnswer.objects.count() == 1
    assert SurveyAnswer.objects.get().satisfaction == 4
    with pytest.raises(ValidationError, match="already answered"), translation.override("en"):
        services.survey_answer(
            alice, ended.survey, satisfaction=2, usefulness=2, pace="slow", recommend=False
        )


@pytest.mark.parametrize(
    "bad",
    [
        {"satisfaction": "0"},
        {"satisfaction": "6"},
        {"usefulness": "-1"},
        {"usefulness": "9999999999999999999999"},
        {"satisfaction": "abc"},
        {"pace": "<script>"},
        {"recommend": "maybe"},
        {"comment": "x" * 2001},
        {"satisfaction": ""},
    ],
)
def test_hostile_or_out_of_range_answers_are_refused_and_store_nothing(client, ended, alice, bad):
    client.force_login(alice)
    response = client.post(_url(ended), {**GOOD, **bad})
    assert response.status_code == 400
    assert not SurveyAnswer.objects.exists()
    assert not SurveyReply.objects.exists()


@pytest.mark.parametrize("score", [0, 6, "x", None, 3.5, True, "٣", "10"])
def test_service_refuses_out_of_range_scores(ended, alice, score):
    with pytest.raises(ValidationError, match="from 1 to 5"), translation.override("en"):
        services.survey_answer(
            alice, ended.survey, satisfaction=score, usefulness=3, pace="right", recommend=True
        )
    assert not SurveyReply.objects.exists()


def test_the_database_refuses_a_score_out_of_range(ended):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAnswer.objects.create(
            survey=ended.survey, satisfaction=7, usefulness=3, pace="right", recommend=True
        )


def test_a_database_error_while_answering_loses_nothing(client, ended, alice):
    """The answer's insert fails: the reply is rolled back too, so the agent may retry."""

    def fail_answer_insert(execute, sql, params, many, context):
        if sql.startswith("INSERT") and "events_surveyanswer" in sql:
            raise OperationalError("disk full")
        return execute(sql, params, many, context)

    client.force_login(alice)
    client.raise_request_exception = False
    with connection.execute_wrapper(fail_answer_insert):
        response = client.post(_url(ended), GOOD)
    assert response.status_code == 500
    assert not SurveyReply.objects.exists()
    assert client.post(_url(ended), GOOD).status_code == 302
    assert SurveyAnswer.objects.count() == SurveyReply.objects.count() == 1


def test_results_for_animators_only_with_chart_table_and_escaped_comments(
    client, ended, alice, bob, carol
):
    client.force_login(alice)
    client.post(_url(ended), {**GOOD, "comment": "<script>alert(1)</script>=HYPERLINK()"})
    for name in ("survey-results", "survey-results-csv"):
        for agent in (alice, carol):
            client.force_login(agent)
            assert client.get(_url(ended, name)).status_code == 404, (name, agent)
    client.force_login(bob)
    page = client.get(_url(ended, "survey-results")).content.decode()
    assert page.count('<svg class="poll-chart"') == 4
    assert page.count('<table class="table">') == 4
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    rows = _csv(client.get(_url(ended, "survey-results-csv"), HTTP_ACCEPT_LANGUAGE="en"))
    assert len(rows) == 2
    assert rows[1][2:] == ["4", "5", "just right", "yes", "<script>alert(1)</script>=HYPERLINK()"]


def test_programme_results_gather_the_groups_sessions(client, ended, training, alice, bob, carol):
    second = make_event(bob, training, capacity=5, title="Deuxième séance")
    services.event_register(alice, second)
    services.attendance_set(bob, second, [str(alice.pk)])
    end(second)
    run_sessions_ended()
    services.survey_answer(
        alice,
        Survey.objects.get(event=ended),
        satisfaction=5,
        usefulness=5,
        pace="fast",
        recommend=True,
    )
    services.survey_answer(
        alice,
        Survey.objects.get(event=second),
        satisfaction=1,
        usefulness=2,
        pace="slow",
        recommend=False,
        comment="=1+1",
    )
    url = reverse("events:survey-programme", args=[training.slug])
    csv_url = reverse("events:survey-programme-csv", args=[training.slug])
    for agent in (alice, carol):
        client.force_login(agent)
        assert client.get(url).status_code == 404
        assert client.get(csv_url).status_code == 404
    client.force_login(bob)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["answer_count"] == 2
    assert [s.answer_count for s in response.context["surveys"]] == [1, 1]
    assert response.context["averages"]["satisfaction"] == 3.0
    rows = _csv(client.get(csv_url))
    assert len(rows) == 3
    assert sorted(row[-1] for row in rows[1:]) == ["", "'=1+1"]  # the formula neutralised


def test_session_page_links_attendee_to_survey_and_animator_to_results(client, ended, alice, bob):
    client.force_login(alice)
    page = client.get(reverse("events:event-detail", args=[ended.group.slug, ended.pk]))
    assert _url(ended).encode() in page.content
    assert _url(ended, "survey-results").encode() not in page.content
    client.force_login(bob)
    page = client.get(reverse("events:event-detail", args=[ended.group.slug, ended.pk]))
    assert _url(ended, "survey-results").encode() in page.content


def test_secret_group_survey_notification_is_hidden_once_agent_leaves(ended, alice, training):
    from intranet.events.access import visible_surveys
    from intranet.groups.models import Membership

    assert visible_surveys(alice).count() == 1
    Membership.objects.filter(group=training, agent=alice).delete()
    assert visible_surveys(alice).count() == 0


def test_programme_page_queries_do_not_grow_with_sessions(client, ended, training, alice, bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("events:survey-programme", args=[training.slug])
    client.force_login(bob)
    client.get(url)  # warm the per-process caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count()
    for i in range(3):
        event = make_event(bob, training, capacity=5, title=f"Séance {i}")
        services.event_register(alice, event)
        services.attendance_set(bob, event, [str(alice.pk)])
        end(event)
        run_sessions_ended()
        services.survey_answer(
            alice,
            Survey.objects.select_related("event").get(event=event),
            satisfaction=3,
            usefulness=3,
            pace="right",
            recommend=True,
        )
    assert count() == before


def test_the_survey_email_carries_its_link_and_stops_once_the_agent_left(
    ended, alice, dave, bob, training
):
    from django.core import mail

    from intranet.groups import services as group_services
    from intranet.notifications.tasks import send_notification_email

    note = Notification.objects.get(recipient=alice, kind=Kind.EVENT_SURVEY)
    assert send_notification_email.call(note.pk) is True
    assert _url(ended) in mail.outbox[0].body
    services.attendance_set(bob, ended, [str(alice.pk), str(dave.pk)])
    late = Notification.objects.get(recipient=dave, kind=Kind.EVENT_SURVEY)
    group_services.group_leave(dave, training)  # budget is closed: dave no longer reads it
    assert send_notification_email.call(late.pk) is False and len(mail.outbox) == 1
