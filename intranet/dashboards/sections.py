"""The dashboards' sections on other pages (intranet.core.sections): the link in the main
menu for staff, and the link on a group's page for its animators and staff."""

from intranet.core.sections import Section, section_register
from intranet.dashboards.access import can_see_group_dashboard, can_see_network_dashboards


def network_link(request, user) -> dict | None:
    if request is None or not getattr(user, "is_authenticated", False):
        return None
    return {} if can_see_network_dashboards(user) else None


def group_link(request, group) -> dict | None:
    return {} if can_see_group_dashboard(request.user, group) else None


section_register(
    Section(slot="header.nav", template="dashboards/_nav_link.html", context=network_link, order=60)
)
section_register(
    Section(
        slot="group.actions",
        template="dashboards/_group_link.html",
        context=group_link,
        order=70,
    )
)
