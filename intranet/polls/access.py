"""Who may see a poll, vote, create one and read its results. A poll follows its group:
whoever may read the group's content sees its polls while the group's polls tool is on
(intranet.groups.tools), anybody else gets a 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from intranet.groups.access import can_moderate_group, can_read_group_content, is_member
from intranet.groups.tools import tool_enabled
from intranet.polls.models import Ballot, Poll

TOOL = "polls"


def can_create_poll(actor, group) -> bool:
    return not group.is_archived and tool_enabled(group, TOOL) and can_moderate_group(actor, group)


def visible_polls(actor, group):
    if not tool_enabled(group, TOOL) or not can_read_group_content(actor, group):
        return Poll.objects.none()
    return Poll.objects.filter(group=group)


def access_poll(actor, group, poll_id) -> Poll:
    """The poll of group at poll_id if actor may see it, 404 otherwise."""
    try:
        poll_id = int(poll_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < poll_id < 2**31:
        raise Http404
    poll = visible_polls(actor, group).filter(pk=poll_id).first()
    if poll is None:
        raise Http404
    return poll


def has_voted(actor, poll) -> bool:
    return Ballot.objects.filter(poll=poll, agent_id=actor.pk).exists()


def can_vote(actor, poll) -> bool:
    return not poll.is_closed and not poll.group.is_archived and is_member(actor, poll.group)


def check_vote(actor, poll) -> None:
    if not visible_polls(actor, poll.group).filter(pk=poll.pk).exists():
        raise Http404
    if not can_vote(actor, poll):
        raise PermissionDenied


def can_see_results(actor, poll, *, voted: bool) -> bool:
    if poll.is_closed or can_moderate_group(actor, poll.group):
        return True
    return poll.results == Poll.Results.AFTER_VOTE and voted


def can_see_voters(actor, poll) -> bool:
    """A named poll's voters per choice: for the group's animators."""
    return not poll.anonymous and can_moderate_group(actor, poll.group)
