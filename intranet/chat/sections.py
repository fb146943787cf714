"""Chat's sections on other pages (intranet.core.sections): the header's chat badge (unread
messages, kept live by chat.js over the socket)."""

from intranet.core.sections import Section, section_register


def chat_badge(request, user) -> dict | None:
    # The count itself is read by the template's chat_unread_total tag, as before.
    if request is None or not getattr(user, "is_authenticated", False):
        return None
    return {}


section_register(
    Section(slot="header.tools", template="chat/_header_badge.html", context=chat_badge, order=20)
)
