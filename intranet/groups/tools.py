"""Tools per group: the registry of the tools a group's animators switch on or off.

A tool is a higher app's page inside a group (wiki, sessions, polls, learning path). Groups
stands below those apps and never names them: each registers its tool in its own
`sections.py` (imported at start-up by intranet.core.sections' discovery):

    tool_register(Tool(
        key="wiki",
        label=_("Wiki"),
        description=_("Pages written together, with every version kept."),
        url=lambda group: reverse("wiki:page-index", args=[group.slug]),
        order=40,
        visible=lambda request, group: ...,     # optional: the tool's own access rule
        setup=lambda actor, group: ...,         # optional: the training template's content
    ))

Registering a tool registers its tab in the "group.tabs" slot, shown only while the tool
is on for the group (and `visible` allows it). The tool's views call
`intranet.groups.access.access_group_tool(actor, slug, key)`: 404 when the group is not
visible or the tool is off. The "space for training and change" template switches every
registered tool on and runs each tool's `setup` (the wiki adds a welcome page).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

from intranet.core.sections import Tab, tab_register
from intranet.groups.models import Group, GroupTool


@dataclass(frozen=True)
class Tool:
    key: str
    label: str
    url: Callable[[Group], str]
    order: int = 60
    description: str = ""
    visible: Callable[[HttpRequest, Group], bool] | None = None
    setup: Callable[[object, Group], None] | None = None


_tools: dict[str, Tool] = {}


def tool_register(tool: Tool) -> None:
    """Add a tool (registering the same key again replaces it) and its group tab."""
    _tools[tool.key] = tool

    def shown(request, group, tool=tool) -> bool:
        if not tool_enabled(group, tool.key):
            return False
        return tool.visible is None or tool.visible(request, group)

    tab_register(
        Tab(
            slot="group.tabs",
            key=tool.key,
            label=tool.label,
            url=tool.url,
            order=tool.order,
            visible=shown,
        )
    )


def tools() -> list[Tool]:
    """Every registered tool, in tab order."""
    return sorted(_tools.values(), key=lambda t: (t.order, t.key))


def tool(key: str) -> Tool | None:
    return _tools.get(key)


def enabled_tool_keys(group: Group) -> frozenset[str]:
    """The keys of the tools that are on for group (read once per group object)."""
    cached = group.__dict__.get("_enabled_tools")
    if cached is None:
        cached = frozenset(GroupTool.objects.filter(group=group).values_list("key", flat=True))
        group.__dict__["_enabled_tools"] = cached
    return cached


def forget_enabled_tools(group: Group) -> None:
    group.__dict__.pop("_enabled_tools", None)


def tool_enabled(group: Group, key: str) -> bool:
    return key in enabled_tool_keys(group)
