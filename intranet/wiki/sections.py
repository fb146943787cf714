"""The wiki as a group tool (intranet.groups.tools): its tab, and the welcome page the
"space for training and change" template adds."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from intranet.groups.tools import Tool, tool_register
from intranet.wiki.access import TOOL


def welcome_page(actor, group) -> None:
    from intranet.wiki.services import page_create

    page_create(
        actor,
        group,
        title=_("Welcome"),
        body=_(
            "# Welcome to %(name)s\n\n"
            "This space gathers what the programme needs: pages written together, "
            "training sessions, polls and a learning path.\n\n"
            "- Start by reading the pages of the wiki.\n"
            "- Register for a session.\n"
            "- Follow the learning path and tick each step.\n"
        )
        % {"name": group.name},
        announce=False,
    )


tool_register(
    Tool(
        key=TOOL,
        label=gettext_lazy("Wiki"),
        description=gettext_lazy("pages written together, every version kept"),
        url=lambda group: reverse("wiki:page-index", args=[group.slug]),
        order=40,
        setup=welcome_page,
    )
)
