"""Documents' sections on other apps' pages (intranet.core.sections): the way to a group's
library from its page, for those who may read it; "recent documents" on a group page and
on the home page, among the documents the viewer may see."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intranet.core.sections import Section, Tab, section_register, tab_register
from intranet.documents.access import Role, library_role
from intranet.documents.activity import recent_documents
from intranet.groups.access import can_read_group_content

RECENT = 5


def library_link(request, group) -> dict | None:
    if library_role(request.user, group) == Role.NONE:
        return None
    return {}


# The "Documents" tab of a group's page, for those who may read its library.
tab_register(
    Tab(
        slot="group.tabs",
        key="documents",
        label=_("Documents"),
        url=lambda group: reverse("documents:library", args=[group.slug]),
        order=40,
        visible=lambda request, group: library_link(request, group) is not None,
    )
)


def group_recent_documents(request, group) -> dict | None:
    """A group page's latest documents; nothing for a viewer who may not read the group."""
    if not can_read_group_content(request.user, group):
        return None
    documents = recent_documents(request.user, group=group, limit=RECENT)
    return {"recent_documents": documents, "show_group": False} if documents else None


def home_recent_documents(request, agent) -> dict | None:
    """The home page's latest documents of the agent's groups."""
    documents = recent_documents(request.user, limit=RECENT)
    return {"recent_documents": documents, "show_group": True} if documents else None


section_register(
    Section(
        slot="group.main",
        template="documents/_recent_documents.html",
        context=group_recent_documents,
        order=40,  # before stream's posts (50): a short list
    )
)
section_register(
    Section(
        slot="home.side",
        template="documents/_recent_documents.html",
        context=home_recent_documents,
        order=50,
    )
)
