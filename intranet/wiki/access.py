"""Who may see and change wiki pages. A page follows its group: readable by whoever may
read the group's content, while the group's wiki tool is on (404 otherwise); editable by
the group's members, or by its animators only when the page says so."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from intranet.accounts.access import is_active_agent
from intranet.groups import access as group_access
from intranet.groups.models import Group, GroupTool
from intranet.wiki.models import WikiPage

TOOL = "wiki"


def visible_pages(actor) -> QuerySet[WikiPage]:
    """Pages actor may read: readable groups' content, where the wiki is on."""
    if not is_active_agent(actor):
        return WikiPage.objects.none()
    tool_on = GroupTool.objects.filter(group=OuterRef("group"), key=TOOL)
    return WikiPage.objects.filter(group_access.readable_group_ids_q(actor, "group")).filter(
        Exists(tool_on)
    )


def can_create_page(actor, group: Group) -> bool:
    return not group.is_archived and (
        group_access.is_member(actor, group) or group_access.can_moderate_group(actor, group)
    )


def can_edit_page(actor, page: WikiPage) -> bool:
    group = page.group
    if group.is_archived:
        return False
    if page.editors == WikiPage.Editors.ANIMATORS:
        return group_access.can_moderate_group(actor, group)
    return can_create_page(actor, group)


def can_change_editors(actor, page: WikiPage) -> bool:
    return not page.group.is_archived and group_access.can_moderate_group(actor, page.group)


def access_page(actor, group: Group, slug: str, *, for_write: bool = False) -> WikiPage:
    """The page at slug in group (already opened with access_group_tool): 404 when
    missing, 403 when for_write and actor may not edit it."""
    page = WikiPage.objects.filter(group=group, slug=str(slug)[:220]).first()
    if page is None:
        raise Http404
    page.group = group
    if for_write and not can_edit_page(actor, page):
        raise PermissionDenied
    return page
