"""Polls' tab on a group's page, for those who may read the group's content."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intranet.core.sections import Tab, tab_register
from intranet.groups.access import can_read_group_content

tab_register(
    Tab(
        slot="group.tabs",
        key="polls",
        label=_("Polls"),
        url=lambda group: reverse("polls:poll-list", args=[group.slug]),
        order=50,
        visible=lambda request, group: can_read_group_content(request.user, group),
    )
)
