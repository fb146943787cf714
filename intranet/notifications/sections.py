"""Notifications' sections on other pages (intranet.core.sections): the header's link to
the notifications with the unread count (checked against the access model like the list)."""

from intranet.core.sections import Section, section_register
from intranet.notifications.selectors import unread_count


def notification_badge(request, user) -> dict | None:
    if request is None or not getattr(user, "is_authenticated", False):
        return None
    return {"unread": unread_count(user)}


section_register(
    Section(
        slot="header.tools",
        template="notifications/_header_badge.html",
        context=notification_badge,
        order=10,
    )
)
