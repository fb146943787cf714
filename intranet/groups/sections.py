"""Groups' parts of pages (intranet.core.sections): the tabs of a group's page that groups
itself owns (Fil, Membres, À propos: higher apps add their tools' tabs to "group.tabs"),
and a department's group on the department's page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intranet.core.sections import Section, Tab, section_register, tab_register
from intranet.groups import access
from intranet.groups.selectors import department_group, member_count


def _group_url(name: str):
    return lambda group: reverse(name, args=[group.slug])


tab_register(
    Tab(
        slot="group.tabs",
        key="feed",
        label=_("Feed"),
        url=_group_url("groups:group-detail"),
        order=10,
    )
)
tab_register(
    Tab(
        slot="group.tabs",
        key="members",
        label=_("Members"),
        url=_group_url("groups:group-members"),
        order=30,
        visible=lambda request, group: access.can_read_group_content(request.user, group),
    )
)
tab_register(
    Tab(
        slot="group.tabs",
        key="about",
        label=_("About"),
        url=_group_url("groups:group-about"),
        order=90,
    )
)


def department_group_section(request, department) -> dict | None:
    """The department's own group, when there is one this agent may see."""
    group = department_group(request.user, department)
    if group is None:
        return None
    return {
        "department_group": group,
        "department_group_members": member_count(group),
        "department_group_is_mine": access.is_member(request.user, group),
        "department_group_can_join": access.can_join_group(request.user, group),
    }


section_register(
    Section(
        slot="department.main",
        template="groups/_department_group.html",
        context=department_group_section,
        order=10,
    )
)
