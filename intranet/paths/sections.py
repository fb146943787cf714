"""Learning paths as a group tool (intranet.groups.tools) with the training template's
welcome path, the agent's own progress on their profile ("profile.main"), and the
sessions' and polls' hooks that tick steps."""

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from intranet.core.sections import Section, section_register
from intranet.events.hooks import attendance_register
from intranet.groups.access import can_read_group_content
from intranet.groups.tools import Tool, tool_register
from intranet.paths.access import TOOL
from intranet.paths.models import Step
from intranet.paths.selectors import agent_paths
from intranet.paths.services import attendance_ticks, path_create, step_add, vote_ticks
from intranet.polls.hooks import voted_register
from intranet.wiki.access import visible_pages


def welcome_path(actor, group) -> None:
    """The training template's content: a "Welcome path" whose first step is the group's
    first wiki page (the wiki's own setup, run before this one, writes the welcome page);
    the animators add the rest. Without a page the path starts empty."""
    path = path_create(
        actor,
        group,
        title=gettext("Welcome path"),
        description=gettext("The first steps in this space: add the pages, sessions and polls."),
    )
    first = visible_pages(actor).filter(group=group).order_by("pk").first()
    if first is not None:
        step_add(actor, path, kind=Step.Kind.WIKI, target_id=first.pk)


tool_register(
    Tool(
        key=TOOL,
        label=_("Learning paths"),
        description=_("Ordered steps through the group’s pages, sessions and polls."),
        url=lambda group: reverse("paths:path-list", args=[group.slug]),
        order=80,
        visible=lambda request, group: can_read_group_content(request.user, group),
        setup=welcome_path,
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
