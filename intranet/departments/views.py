"""The organisation chart: the tree and one department's page (its agents: the
"department.main" slot)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from intranet.departments.access import access_department
from intranet.departments.selectors import department_breadcrumb, department_tree


@require_GET
def department_list(request):
    return render(request, "departments/department_list.html", {"tree": department_tree()})


@require_GET
def department_detail(request, pk):
    department = access_department(request.user, pk)
    # Its agents are a section of the slot "department.main" (people fills it).
    children = department.children.filter(is_active=True).order_by("name")
    context = {
        "department": department,
        "breadcrumb": department_breadcrumb(department),
        "children": children,
    }
    return render(request, "departments/department_detail.html", context)
