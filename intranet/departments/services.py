"""Writes to the organisation chart."""

from django.db import transaction

from intranet.departments.models import Department

PATH_WIDTH = 6


def _path_for(department: Department) -> str:
    prefix = department.parent.path if department.parent_id else ""
    return f"{prefix}{department.pk:0{PATH_WIDTH}d}/"


@transaction.atomic
def department_create(*, name: str, parent: Department | None = None, **fields) -> Department:
    department = Department.objects.create(name=name, parent=parent, **fields)
    department.path = _path_for(department)
    department.depth = department.path.count("/") - 1
    department.save(update_fields=["path", "depth"])
    return department


@transaction.atomic
def department_move(department: Department, *, parent: Department | None) -> Department:
    """Put department (and its whole subtree) under parent."""
    if parent is not None and parent.path.startswith(department.path):
        raise ValueError("A department cannot be moved under itself.")
    old_path = department.path
    department.parent = parent
    department.path = _path_for(department)
    department.depth = department.path.count("/") - 1
    department.save(update_fields=["parent", "path", "depth"])
    for child in Department.objects.filter(path__startswith=old_path).exclude(pk=department.pk):
        child.path = department.path + child.path[len(old_path) :]
        child.depth = child.path.count("/") - 1
        child.save(update_fields=["path", "depth"])
    return department
