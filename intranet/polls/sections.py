"""Polls are a group tool (intranet.groups.tools): its tab shows while the animators have
it on, for those who may read the group's content."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intranet.groups.access import can_read_group_content
from intranet.groups.tools import Tool, tool_register

tool_register(
    Tool(
        key="polls",
        label=_("Polls"),
        description=_("Single or multiple choice questions, anonymous or named."),
        url=lambda group: reverse("polls:poll-list", args=[group.slug]),
        order=70,
        visible=lambda request, group: can_read_group_content(request.user, group),
    )
)
