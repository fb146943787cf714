"""Learning paths as a group tool (intranet.groups.tools), the agent's own progress on
their profile ("profile.main"), and the sessions' and polls' hooks that tick steps."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intranet.core.sections import Section, section_register
from intranet.events.hooks import attendance_register
from intranet.groups.access import can_read_group_content
from intranet.groups.tools import Tool, tool_register
from intranet.paths.access import TOOL
from intranet.paths.selectors import agent_paths
from intranet.paths.services import attendance_ticks, vote_ticks
from intranet.polls.hooks import voted_register

tool_register(
    Tool(
        key=TOOL,
        label=_("Learning paths"),
        description=_("Ordered steps through the group’s pages, sessions and polls."),
        url=lambda group: reverse("paths:path-list", args=[group.slug]),
        order=80,
        visible=lambda request, group: can_read_group_content(request.user, group),
    )
)


def own_progress(request, agent) -> dict | None:
    """Only on the agent's own profile: nobody else reads what they have done."""
    if request is None or not request.user.is_authenticated:
        return None
    paths = agent_paths(request.user, agent)
    return {"learning_paths": paths} if paths else None


section_register(
    Section(
        slot="profile.main", template="paths/_profile_progress.html", context=own_progress, order=40
    )
)

attendance_register(attendance_ticks)
voted_register(vote_ticks)
