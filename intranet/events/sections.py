"""The sessions tool of a group (intranet.groups.tools): its tab in "group.tabs"; and the
calendar in the main menu ("header.nav")."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intranet.core.sections import Section, section_register
from intranet.events.access import TOOL
from intranet.groups.tools import Tool, tool_register

tool_register(
    Tool(
        key=TOOL,
        label=_("Sessions"),
        description=_("Training sessions and events, with registration and a calendar."),
        url=lambda group: reverse("events:group-events", args=[group.slug]),
        order=50,
    )
)


def calendar_link(request, user) -> dict | None:
    if request is None or not getattr(user, "is_authenticated", False):
        return None
    match = request.resolver_match
    return {"current": bool(match and match.view_name == "events:calendar")}


section_register(
    Section(slot="header.nav", template="events/_nav_link.html", context=calendar_link, order=30)
)
