"""Polls' activity for the dashboards (intranet.core.activity, docs/dashboards.md, "Polls").

- A poll opened counts for its author on the day it was created.
- Votes are counted on the day the poll closes, never on the day they were cast: the
  polls app does not date a ballot, and dating it would tell when an agent voted.
  In a named poll (whose voters the poll itself shows), a ballot counts for its voter.
  In an anonymous poll, a ballot counts for the group without a voter: the dashboards
  never learn who voted, and an anonymous vote never makes an agent "active".
  Either way only the ballot (that someone voted) is read, never a choice.
"""

from django.db.models import F, IntegerField, Value
from django.utils.translation import gettext_lazy as _

from intranet.core.activity import ActivitySource, activity_register
from intranet.polls.models import Ballot, Poll


def polls(start, end):
    return Poll.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "group_id", "author_id"
    )


def votes(start, end):
    closed = Ballot.objects.filter(poll__closes_at__gte=start, poll__closes_at__lt=end)
    named = closed.filter(poll__anonymous=False).values_list("poll__group_id", "agent_id")
    anonymous = (
        closed.filter(poll__anonymous=True)
        .annotate(group=F("poll__group_id"), nobody=Value(None, output_field=IntegerField()))
        .values_list("group", "nobody")
    )
    yield from named.iterator(chunk_size=5000)
    yield from anonymous.iterator(chunk_size=5000)


activity_register(ActivitySource("polls", _("polls opened"), polls, order=100))
activity_register(ActivitySource("votes", _("poll votes"), votes, order=101))
