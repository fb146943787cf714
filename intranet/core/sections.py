"""Page sections: how a higher app shows its content on a lower app's page.

Apps stand in one order (docs/architecture.md) and a lower one never imports a higher one.
When a lower app's page shows a higher app's content (a group page showing the group's
posts, a profile showing the agent's activity), the page names a *slot* ("group.main"),
and the higher app registers a section for that slot in its own `sections.py`, which
start-up imports the way django.contrib.admin finds `admin` modules:

    section_register(Section(
        slot="group.main",
        template="stream/_group_feed.html",
        context=lambda request, group: {...} or None,   # None: nothing for this agent
        fragment=lambda request, group: HttpResponse,    # optional: the "see more" page
        order=50,
    ))

The page renders `{% page_sections "group.main" group %}` and never names who filled the
slot. `context` decides, through the owner's access model, what the agent may see: it
returns None to show nothing. Core knows no domain: a slot is only a name.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class Section:
    slot: str
    template: str
    context: Callable[[HttpRequest, object], dict | None]
    order: int = 100
    fragment: Callable[[HttpRequest, object], HttpResponse] | None = None


_sections: dict[str, list[Section]] = {}


def section_register(section: Section) -> None:
    """Add a section to its slot (registering the same template twice replaces it)."""
    kept = [s for s in _sections.get(section.slot, []) if s.template != section.template]
    _sections[section.slot] = sorted([*kept, section], key=lambda s: s.order)


def sections(slot: str) -> list[Section]:
    return list(_sections.get(slot, []))


def sections_for(slot: str, request: HttpRequest, obj) -> list[tuple[str, dict]]:
    """(template, context) of each section of slot the agent is shown, in order."""
    shown = []
    for section in _sections.get(slot, []):
        context = section.context(request, obj)
        if context is not None:
            shown.append((section.template, context))
    return shown


def section_fragment(slot: str, request: HttpRequest, obj) -> HttpResponse | None:
    """The first registered fragment of slot (a "see more" page), or None."""
    for section in _sections.get(slot, []):
        if section.fragment is not None:
            return section.fragment(request, obj)
    return None


@dataclass(frozen=True)
class Tab:
    """One tab of a page with tabs (a group's "Fil", "Membres", a tool's "Documents"...).

    `url(obj)` is the tab's own address (a real page); `visible(request, obj)` says,
    through the owner's access model, whether this agent sees the tool at all.
    """

    slot: str
    key: str
    label: str
    url: Callable[[object], str]
    order: int = 100
    visible: Callable[[HttpRequest, object], bool] | None = None


_tabs: dict[str, list[Tab]] = {}


def tab_register(tab: Tab) -> None:
    """Add a tab to its slot (registering the same key twice replaces it)."""
    kept = [t for t in _tabs.get(tab.slot, []) if t.key != tab.key]
    _tabs[tab.slot] = sorted([*kept, tab], key=lambda t: t.order)


def tabs(slot: str) -> list[Tab]:
    return list(_tabs.get(slot, []))


def tabs_for(slot: str, request: HttpRequest, obj) -> list[dict]:
    """The tabs of slot this agent is shown, in order: {key, label, url, current}; the
    current one is the tab whose address is the page's."""
    shown = []
    for tab in _tabs.get(slot, []):
        if tab.visible is not None and not tab.visible(request, obj):
            continue
        url = tab.url(obj)
        current = request is not None and url == request.path
        shown.append({"key": tab.key, "label": tab.label, "url": url, "current": current})
    return shown
