"""The sessions tool of a group (intranet.groups.tools): its tab in "group.tabs"."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
