"""Reads of the wiki: a group's table of contents (one query), a page's ancestors and
sub-pages, its versions."""

from dataclasses import dataclass, field

from intranet.groups.models import Group
from intranet.wiki.models import WikiPage, WikiVersion


@dataclass
class Entry:
    pk: int
    title: str
    slug: str
    parent_id: int | None
    children: list["Entry"] = field(default_factory=list)


def group_contents(group: Group) -> list[Entry]:
    """The group's pages as a tree (top pages first, each with its sub-pages), by title."""
    rows = WikiPage.objects.filter(group=group).order_by("title_key")
    entries = {
        pk: Entry(pk, title, slug, parent_id)
        for pk, title, slug, parent_id in rows.values_list("pk", "title", "slug", "parent_id")
    }
    roots = []
    for entry in entries.values():
        parent = entries.get(entry.parent_id)
        (parent.children if parent is not None else roots).append(entry)
    return roots


# Deeper than any tree people build; bounds the walk should a cycle ever exist.
MAX_DEPTH = 50

ANCESTORS_SQL = """
WITH RECURSIVE chain (id, parent_id, depth) AS (
    SELECT id, parent_id, 0 FROM {table} WHERE id = %s
    UNION ALL
    SELECT p.id, p.parent_id, chain.depth + 1
    FROM {table} p JOIN chain ON p.id = chain.parent_id
    WHERE chain.depth < %s AND p.group_id = %s
)
SELECT p.id, p.group_id, p.parent_id, p.title, p.slug, chain.depth
FROM chain JOIN {table} p ON p.id = chain.id
WHERE chain.depth > 0 ORDER BY chain.depth DESC
"""


def page_ancestors(page: WikiPage) -> list[WikiPage]:
    """From the top page down to page's parent, in one query (a recursive walk up the
    tree, whatever its depth; a cycle, impossible through the services, would stop at
    the first page seen twice)."""
    if page.parent_id is None:
        return []
    sql = ANCESTORS_SQL.format(table=WikiPage._meta.db_table)
    rows = list(WikiPage.objects.raw(sql, [page.pk, MAX_DEPTH, page.group_id]))
    chain, seen = [], {page.pk}
    for row in reversed(rows):  # from the parent up
        if row.pk in seen:
            break
        seen.add(row.pk)
        chain.append(row)
    return chain[::-1]


def page_children(page: WikiPage):
    # parent_id too: the related manager sets each child's parent (one query a child otherwise).
    return page.children.order_by("title_key").only("title", "slug", "parent_id")


def page_versions(page: WikiPage):
    return WikiVersion.objects.filter(page=page).select_related("author").order_by("-number")


def parent_choices(group: Group, page: WikiPage | None = None) -> list[tuple[int, str]]:
    """Pages a page may be placed under: the group's, except page and its sub-pages."""
    excluded: set[int] = set()
    if page is not None:
        excluded.add(page.pk)
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in WikiPage.objects.filter(group=group).values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        todo = [page.pk]
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in excluded:
                    excluded.add(child)
                    todo.append(child)
    rows = WikiPage.objects.filter(group=group).exclude(pk__in=excluded).order_by("title_key")
    return list(rows.values_list("pk", "title"))
