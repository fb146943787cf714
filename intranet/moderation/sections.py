"""Moderation's sections on other pages (intranet.core.sections): the link to the report
queue in the main menu, for those who may moderate (staff and group animators)."""

from intranet.core.sections import Section, section_register
from intranet.moderation.access import can_moderate_anything


def moderation_link(request, user) -> dict | None:
    if (
        request is None
        or not getattr(user, "is_authenticated", False)
        or not can_moderate_anything(user)
    ):
        return None
    return {}


section_register(
    Section(
        slot="header.nav",
        template="moderation/_nav_link.html",
        context=moderation_link,
        order=50,
    )
)
