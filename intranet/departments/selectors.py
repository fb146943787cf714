"""Reads of the organisation chart: the tree, a department's breadcrumb and subtree."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from intranet.departments.models import Department


@dataclass
class TreeNode:
    department: Department
    agent_count: int = 0
    children: list["TreeNode"] = field(default_factory=list)


def department_tree() -> list[TreeNode]:
    """Every active department as a forest, with its count of active agents, in 1 query."""
    departments = Department.objects.filter(is_active=True).annotate(
        agent_count=Count("agents", filter=Q(agents__is_active=True))
    )
    nodes = {d.pk: TreeNode(d, d.agent_count) for d in departments}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.department.parent_id)
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: n.department.name.casefold())
    roots.sort(key=lambda n: n.department.name.casefold())
    return roots


def department_choices() -> list[tuple[int, str]]:
    """(id, indented label) for every active department, in tree order."""
    result = []

    def walk(nodes, level):
        for node in nodes:
            result.append((node.department.pk, "\u2003" * level + node.department.label))
            walk(node.children, level + 1)

    walk(department_tree(), 0)
    return result


def department_breadcrumb(department: Department | None) -> list[Department]:
    """The department's ancestors then itself, from the top of the chart."""
    if department is None:
        return []
    ids = department.ancestor_ids()
    by_id = Department.objects.in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id] + [department]
