"""Votes sent at once on PostgreSQL, with real concurrent transactions: the same agent
twice counts once; many agents at once are all counted."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from intranet.groups.models import Membership
from intranet.polls import services
from intranet.polls.models import Ballot, Choice, Poll
from tests.factories import UserFactory


def run_at_once(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_one_vote_per_agent_when_sent_twice_at_once(poll, alice):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (the test SQLite is in-memory)")
    choice = poll.choices.first()
    outcomes = run_at_once([lambda: services.poll_vote(alice, poll, choice_ids=[choice.pk])] * 4)
    # The threads answer in the site's language: "You have already voted in this poll."
    assert sorted(outcomes) == ["Vous avez déjà voté à ce sondage."] * 3 + ["ok"]
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Choice.objects.get(pk=choice.pk).votes == 1
    assert Poll.objects.get(pk=poll.pk).voter_count == 1


@pytest.mark.django_db(transaction=True)
def test_many_agents_at_once_are_all_counted(poll, finance):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (the test SQLite is in-memory)")
    agents = [UserFactory(username=f"votant{n}", department=finance) for n in range(8)]
    Membership.objects.bulk_create(Membership(group=poll.group, agent=a) for a in agents)
    choice = poll.choices.last()
    outcomes = run_at_once(
        [lambda a=a: services.poll_vote(a, poll, choice_ids=[choice.pk]) for a in agents]
    )
    assert outcomes == ["ok"] * 8
    assert Choice.objects.get(pk=choice.pk).votes == 8
    assert Poll.objects.get(pk=poll.pk).voter_count == 8
