"""Departments mirrored from the directory: one per organisational unit, in its tree."""

from django.db import transaction

from intranet.departments.models import Department
from intranet.departments.services import department_create, department_move


def department_nodes(paths) -> dict[str, tuple[str, str]]:
    """{dn: (name, parent dn)} for every department on the given paths from the top."""
    nodes = {}
    for path in paths:
        parent = ""
        for dn, name in path:
            nodes.setdefault(dn, (name, parent))
            parent = dn
    return nodes


@transaction.atomic
def departments_ensure(nodes: dict[str, tuple[str, str]]) -> dict[str, int]:
    """Create, rename, move or reactivate departments so that they match nodes.

    Returns {dn: department id} for every node. A parent's DN is always shorter than its
    children's, so going by length creates parents first.
    """
    existing = {}
    keys = list(nodes)
    for start in range(0, len(keys), 500):
        for department in Department.objects.filter(directory_dn__in=keys[start : start + 500]):
            existing[department.directory_dn] = department
    result: dict[str, Department] = {}
    for dn in sorted(nodes, key=len):
        name, parent_dn = nodes[dn]
        parent = result.get(parent_dn) or existing.get(parent_dn)
        department = existing.get(dn)
        if department is None:
            department = department_create(name=name, parent=parent, directory_dn=dn)
        else:
            changed = []
            if name and department.name != name:
                department.name = name
                changed.append("name")
            if not department.is_active:
                department.is_active = True
                changed.append("is_active")
            if changed:
                department.save(update_fields=changed)
            if department.parent_id != (parent.pk if parent else None):
                department = department_move(department, parent=parent)
        result[dn] = department
    return {dn: department.pk for dn, department in result.items()}


def departments_retire(seen_dns) -> int:
    """Switch off directory departments that the directory no longer has (full sync only)."""
    seen = set(seen_dns)
    gone = [
        pk
        for pk, dn in Department.objects.filter(is_active=True)
        .exclude(directory_dn="")
        .values_list("pk", "directory_dn")
        if dn not in seen
    ]
    return Department.objects.filter(pk__in=gone).update(is_active=False)


def departments_set_heads(head_ids: dict[str, int | None]) -> int:
    """Set each department's head from {department dn: agent id or None}."""
    changed = []
    for department in Department.objects.filter(directory_dn__in=list(head_ids)):
        head_id = head_ids[department.directory_dn]
        if department.head_id != head_id:
            department.head_id = head_id
            changed.append(department)
    Department.objects.bulk_update(changed, ["head"], batch_size=500)
    return len(changed)
