"""Documents' sections on other apps' pages (intranet.core.sections): the way to a group's
library from its page, for those who may read it."""

from intranet.core.sections import Section, section_register
from intranet.documents.access import Role, library_role


def library_link(request, group) -> dict | None:
    if library_role(request.user, group) == Role.NONE:
        return None
    return {}


section_register(
    Section(
        slot="group.actions",
        template="documents/_group_library_link.html",
        context=library_link,
        order=60,
    )
)

# The group page's tabs, where the page has them (nothing is shown where it has not).
section_register(
    Section(slot="group.tabs", template="documents/_group_tab.html", context=library_link, order=30)
)
