"""The organisation chart: the tree and one department's page."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from intranet.accounts.access import visible_agents
from intranet.departments.access import access_department
from intranet.departments.selectors import department_breadcrumb, department_tree
from intranet.people.selectors import with_card_data

PAGE_SIZE = 48


@require_GET
def department_list(request):
    return render(request, "departments/department_list.html", {"tree": department_tree()})


@require_GET
def department_detail(request, pk):
    department = access_department(request.user, pk)
    agents = with_card_data(visible_agents(request.user).filter(department=department))
    agents = agents.order_by("sort_name", "pk")
    children = department.children.filter(is_active=True).order_by("name")
    context = {
        "department": department,
        "breadcrumb": department_breadcrumb(department),
        "children": children,
        "page": Paginator(agents, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "departments/department_detail.html", context)
