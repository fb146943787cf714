"""The dashboards' pages: a group's, the network's, the silo indicators; ?csv=<figure>
answers the CSV of one figure (the same cells as its table)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from intranet.core.spreadsheets import csv_response
from intranet.dashboards.access import (
    access_group_dashboard,
    access_network_dashboards,
    can_list_dormant_members,
)
from intranet.dashboards.selectors import (
    department_by_id,
    figure_by_slug,
    group_dashboard,
    network_dashboard,
    period_from,
    silo_dashboard,
)


def _answer(request, template, context, name):
    slug = request.GET.get("csv")
    if slug is not None:
        figure = figure_by_slug(context["figures"], str(slug))
        if figure is None:
            raise Http404
        return csv_response(
            [figure.headers, *figure.rows], filename=f"{slugify(name)}-{figure.slug}.csv"
        )
    return render(request, template, context)


@require_GET
def group_detail(request, slug):
    group = access_group_dashboard(request.user, slug)
    period = period_from(request.GET)
    context = group_dashboard(
        group, period, with_dormant_list=can_list_dormant_members(request.user, group)
    )
    return _answer(
        request,
        "dashboards/group_dashboard.html",
        {**context, "group": group, "period": period},
        group.slug,
    )


@require_GET
def network_detail(request):
    access_network_dashboards(request.user)
    period = period_from(request.GET)
    context = network_dashboard(period)
    return _answer(
        request, "dashboards/network_dashboard.html", {**context, "period": period}, "network"
    )


@require_GET
def silo_detail(request, department_id=None):
    access_network_dashboards(request.user)
    department = None
    if department_id is not None:
        department = department_by_id(department_id)
        if department is None:
            raise Http404
    period = period_from(request.GET)
    context = silo_dashboard(period, department)
    name = f"silos-{department.pk}" if department else "silos"
    return _answer(
        request,
        "dashboards/silo_dashboard.html",
        {**context, "period": period, "department": department},
        name,
    )
