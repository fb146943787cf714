"""Chat's sections on other pages (intranet.core.sections): the header's chat badge (unread
messages, kept live by chat.js over the socket) and, on a group's page, the way to its
chat room; on a profile and an agent's card, "Envoyer un message"."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intranet.chat.access import can_message_agent
from intranet.core.sections import Section, Tab, section_register, tab_register
from intranet.groups.access import is_member


def chat_badge(request, user) -> dict | None:
    # The count itself is read by the template's chat_unread_total tag, as before.
    if request is None or not getattr(user, "is_authenticated", False):
        return None
    return {}


section_register(
    Section(slot="header.tools", template="chat/_header_badge.html", context=chat_badge, order=20)
)


def group_room_link(request, group) -> dict | None:
    """Members only: the room of a group is its members' (chat.services.group_room)."""
    return {} if is_member(request.user, group) else None


section_register(
    Section(
        slot="group.actions",
        template="chat/_group_room_link.html",
        context=group_room_link,
        order=50,
    )
)


def message_button(request, agent) -> dict | None:
    """ "Envoyer un message": opens (or creates) the direct conversation with agent; not on
    one's own profile nor a former agent's. No query: the cards of a list show it too."""
    return {"recipient": agent} if can_message_agent(request.user, agent) else None


section_register(
    Section(
        slot="profile.actions",
        template="chat/_message_button.html",
        context=message_button,
        order=40,
    )
)
section_register(
    Section(
        slot="agent.card.actions",
        template="chat/_message_button.html",
        context=message_button,
        order=50,
    )
)

# The "Discussion" tab of a group's page: its chat room, for the members who may open it.
tab_register(
    Tab(
        slot="group.tabs",
        key="discussion",
        label=_("Discussion"),
        url=lambda group: reverse("chat:group-room", args=[group.slug]),
        order=20,
        visible=lambda request, group: is_member(request.user, group),
    )
)
