"""Two agents take the last seat at once, in real concurrent PostgreSQL transactions:
exactly one gets it, the other is wait-listed (the session row is locked)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from intranet.events import services
from intranet.events.models import Event, Registration
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from tests.factories import UserFactory


@pytest.mark.django_db(transaction=True)
def test_two_agents_racing_for_the_last_seat(finance):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    owner = UserFactory(username="owner-race", department=finance)
    group = group_services.group_create(owner, name="Course", policy="closed")
    group_services.group_tools_set(owner, group, keys=["events"])
    racers = [UserFactory(username=f"racer{i}", department=finance) for i in range(2)]
    for agent in racers:
        Membership.objects.create(group=group, agent=agent)
    for attempt in range(5):
        event = services.event_create(
            owner,
            group,
            title=f"Dernière place {attempt}",
            starts_at=timezone.now() + timedelta(days=2),
            duration_minutes=60,
            capacity=1,
        )
        barrier = threading.Barrier(2)
        results, errors = [], []

        def take(agent, event=event, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait(timeout=10)
                results.append(services.event_register(agent, Event(pk=event.pk)).status)
            except Exception as error:  # pragma: no cover - shown in the assertion
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=take, args=(agent,)) for agent in racers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert sorted(results) == ["registered", "waiting"]
        assert Registration.objects.filter(event=event, status="registered").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_survey_answer_even_when_sent_twice_at_once(finance):
    """The same attendee posts the survey twice at the same instant (a double click on two
    connections): the unique reply row lets exactly one through, the other stores nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    from django.core.exceptions import ValidationError

    from intranet.events.models import Survey, SurveyAnswer, SurveyReply

    owner = UserFactory(username="owner-survey", department=finance)
    agent = UserFactory(username="attendee", department=finance)
    group = group_services.group_create(owner, name="Enquête", policy="closed")
    group_services.group_tools_set(owner, group, keys=["events"])
    Membership.objects.create(group=group, agent=agent)
    for attempt in range(5):
        event = services.event_create(
            owner,
            group,
            title=f"Séance {attempt}",
            starts_at=timezone.now() + timedelta(days=2),
            duration_minutes=60,
        )
        services.event_register(agent, event)
        services.attendance_set(owner, event, [str(agent.pk)])
        survey = services.survey_send(event, [agent])
        barrier = threading.Barrier(2)
        results, refused, errors = [], [], []

        def answer(
            score, survey=survey, barrier=barrier, results=results, refused=refused, errors=errors
        ):
            try:
                barrier.wait(timeout=10)
                fresh = Survey.objects.select_related("event").get(pk=survey.pk)
                results.append(
                    services.survey_answer(
                        agent,
                        fresh,
                        satisfaction=score,
                        usefulness=3,
                        pace="right",
                        recommend=True,
                    ).satisfaction
                )
            except ValidationError as error:
                refused.append(error)
            except Exception as error:  # pragma: no cover - shown in the assertion
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=answer, args=(score,)) for score in (2, 5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert errors == []
        assert len(results) == 1 and len(refused) == 1
        assert SurveyReply.objects.filter(survey=survey).count() == 1
        assert (
            list(SurveyAnswer.objects.filter(survey=survey).values_list("satisfaction", flat=True))
            == results
        )


@pytest.mark.django_db(transaction=True)
def test_a_burst_with_cancellations_never_overbooks_nor_passes_anyone_over(finance):
    """Twelve agents register for three seats from six threads while two of the seated
    cancel: never more than three seated, the seat counter equals the seated rows, and
    nobody waits while a seat is free (a cancellation sees every waiting registration
    committed before it)."""
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent transactions need PostgreSQL")
    owner = UserFactory(username="owner-burst", department=finance)
    group = group_services.group_create(owner, name="Burst", policy="closed")
    group_services.group_tools_set(owner, group, keys=["events"])
    agents = [UserFactory(username=f"burst{i}", department=finance) for i in range(12)]
    Membership.objects.bulk_create([Membership(group=group, agent=a) for a in agents])
    for attempt in range(3):
        event = services.event_create(
            owner,
            group,
            title=f"Rafale {attempt}",
            starts_at=timezone.now() + timedelta(days=2),
            duration_minutes=60,
            capacity=3,
        )
        early = agents[:2]
        for agent in early:
            services.event_register(agent, event)
        queue = list(agents[2:]) + [("cancel", a) for a in early]
        lock, errors = threading.Lock(), []
        barrier = threading.Barrier(6)

        def work(event=event, queue=queue, lock=lock, errors=errors, barrier=barrier, n=attempt):
            try:
                barrier.wait(timeout=10)
                while True:
                    with lock:
                        if not queue:
                            return
                        item = queue.pop(0 if n % 2 else -1)
                    if isinstance(item, tuple):
                        services.event_cancel(item[1], Event(pk=event.pk))
                    else:
                        services.event_register(item, Event(pk=event.pk))
            except Exception as error:  # pragma: no cover - shown in the assertion
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        seated = Registration.objects.filter(event=event, status="registered").count()
        waiting = Registration.objects.filter(event=event, status="waiting").count()
        event.refresh_from_db()
        assert seated == 3 == event.seats_taken
        assert seated + waiting == 10
