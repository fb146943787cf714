"""Reads of polls: a group's polls with whether the agent voted, a poll's results."""

from django.db.models import Exists, OuterRef

from intranet.core import charts
from intranet.polls import access
from intranet.polls.models import Ballot, NamedVote


def group_polls(actor, group):
    """The group's polls, newest first, each with `voted` for actor (one query)."""
    return access.visible_polls(actor, group).annotate(
        voted=Exists(Ballot.objects.filter(poll=OuterRef("pk"), agent_id=actor.pk))
    )


def poll_results(poll) -> dict:
    choices = list(poll.choices.all())
    items = charts.bars(choices, poll.voter_count)
    return {
        "bars": [(bar, charts.value_text(bar)) for bar in items],
        "chart": charts.bar_chart(items),
    }


def named_voters(poll) -> dict[int, list]:
    """choice id -> its voters' display names (named polls only)."""
    voters: dict[int, list] = {}
    for vote in NamedVote.objects.filter(choice__poll=poll).select_related("agent"):
        voters.setdefault(vote.choice_id, []).append(vote.agent)
    return voters
