"""Poll services: creation rules, one vote per agent (also when sent twice at once),
multiple choice, closing, and the exact messages shown to the agent."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from intranet.polls import services
from intranet.polls.models import Ballot, Choice, NamedVote, Poll
from tests.polls.conftest import in_days


@pytest.fixture(autouse=True)
def _in_english():
    """The refusals are compared with their source text (the site's default is French)."""
    with translation.override("en"):
        yield


def messages_of(excinfo) -> list[str]:
    return excinfo.value.messages


def test_animator_creates_a_poll_with_clean_choices(budget, bob):
    poll = services.poll_create(
        bob,
        budget,
        question="  Quel   jour ?  ",
        choices=["Lundi", " ", "Lundi", "Mardi "],
        closes_at=in_days(1),
    )
    assert poll.question == "Quel jour ?"
    assert [c.label for c in poll.choices.all()] == ["Lundi", "Mardi"]


def test_a_plain_member_may_not_create_a_poll(budget, alice):
    with pytest.raises(PermissionDenied):
        services.poll_create(alice, budget, question="Q", choices=["a", "b"], closes_at=in_days(1))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question": " "}, "Write the question."),
        ({"question": "x" * 301}, "The question is too long."),
        ({"choices": ["Seul", "Seul"]}, "Give at least two different choices."),
        ({"choices": [str(i) for i in range(21)]}, "Too many choices, or a choice too long."),
        ({"choices": ["a", "b" * 201]}, "Too many choices, or a choice too long."),
        ({"closes_at": in_days(-1)}, "The closing date must be in the future."),
        ({"results": "never"}, "Choose when the results are shown."),
    ],
)
def test_poll_create_refusals(budget, bob, fields, message):
    data = {"question": "Q ?", "choices": ["a", "b"], "closes_at": in_days(1)} | fields
    with pytest.raises(ValidationError) as excinfo:
        services.poll_create(bob, budget, **data)
    assert messages_of(excinfo) == [message]
    assert not Poll.objects.exists()


def test_vote_counts_once(poll, alice, bob):
    lundi, mardi, _ = poll.choices.all()
    services.poll_vote(alice, poll, choice_ids=[lundi.pk])
    services.poll_vote(bob, poll, choice_ids=[str(lundi.pk)])
    with pytest.raises(ValidationError) as excinfo:
        services.poll_vote(alice, poll, choice_ids=[mardi.pk])
    assert messages_of(excinfo) == ["You have already voted in this poll."]
    assert [c.votes for c in poll.choices.all()] == [2, 0, 0]
    poll.refresh_from_db()
    assert poll.voter_count == 2


@pytest.mark.parametrize(
    ("choice_ids", "message"),
    [
        ([], "Choose among the poll's choices."),
        (["abc"], "Choose among the poll's choices."),
        ([None], "Choose among the poll's choices."),
        ([999999], "Choose among the poll's choices."),
        ([2**63], "Choose among the poll's choices."),
        ([-1], "Choose among the poll's choices."),
    ],
)
def test_vote_hostile_choices(poll, alice, choice_ids, message):
    with pytest.raises(ValidationError) as excinfo:
        services.poll_vote(alice, poll, choice_ids=choice_ids)
    assert messages_of(excinfo) == [message]
    assert not Ballot.objects.exists()


def test_single_choice_refuses_two_answers(poll, alice):
    ids = [c.pk for c in poll.choices.all()[:2]]
    with pytest.raises(ValidationError) as excinfo:
        services.poll_vote(alice, poll, choice_ids=ids)
    assert messages_of(excinfo) == ["Choose only one answer."]


def test_a_choice_of_another_poll_is_refused(poll, named_poll, alice):
    other = named_poll.choices.first()
    with pytest.raises(ValidationError):
        services.poll_vote(alice, poll, choice_ids=[other.pk])


def test_multiple_named_vote(named_poll, alice):
    ids = [c.pk for c in named_poll.choices.all()[:2]]
    services.poll_vote(alice, named_poll, choice_ids=ids)
    assert [c.votes for c in named_poll.choices.all()] == [1, 1, 0]
    assert set(NamedVote.objects.values_list("choice_id", "agent_id")) == {
        (ids[0], alice.pk),
        (ids[1], alice.pk),
    }


def test_closed_poll_and_outsider_refused(poll, alice, carol):
    choice = poll.choices.first()
    from django.http import Http404

    with pytest.raises(Http404):
        services.poll_vote(carol, poll, choice_ids=[choice.pk])
    Poll.objects.filter(pk=poll.pk).update(closes_at=in_days(-1))
    poll.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.poll_vote(alice, poll, choice_ids=[choice.pk])
    assert not Ballot.objects.exists()


def test_ballot_constraint_in_the_database(poll, alice):
    Ballot.objects.create(poll=poll, agent=alice)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(poll=poll, agent=alice)


def test_anonymous_vote_leaves_no_link_between_agent_and_choice(poll, alice, bob):
    """Read every row of the polls tables after two votes: the agents appear only in the
    ballots, which name no choice; the choices hold counts only; no named vote exists."""
    lundi, mardi, _ = poll.choices.all()
    services.poll_vote(alice, poll, choice_ids=[mardi.pk])
    services.poll_vote(bob, poll, choice_ids=[lundi.pk])
    tables = [m._meta.db_table for m in (Poll, Choice, Ballot, NamedVote)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - table names above
            columns = [c[0] for c in cursor.description]
            rows = cursor.fetchall()
            if table == Ballot._meta.db_table:
                assert set(columns) == {"id", "poll_id", "agent_id"}
            if table == Choice._meta.db_table:
                assert "agent_id" not in columns
            if table == NamedVote._meta.db_table:
                assert rows == []
    assert not NamedVote.objects.exists()
    assert sorted(Choice.objects.filter(poll=poll).values_list("votes", flat=True)) == [0, 1, 1]
