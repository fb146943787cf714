"""Pages of a group's learning paths: the list (and a new path), a path with its steps
(members tick them; animators add, edit, move and remove them), cohorts, and the
animators' progress report with its CSV export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intranet.core.spreadsheets import csv_response
from intranet.groups.access import access_group_tool
from intranet.groups.views import group_page_context
from intranet.paths import access, selectors, services
from intranet.paths.access import TOOL
from intranet.paths.forms import CohortForm, PathForm, StepForm


def _group(request, slug):
    """The group at slug, when its paths tool is on and actor may read it (404 otherwise)."""
    return access_group_tool(request.user, slug, TOOL)


def _posted(request):
    """The submitted data on a POST (even an empty one: it is then invalid), else None."""
    return request.POST if request.method == "POST" else None


def _page(request, group, **extra) -> dict:
    context = group_page_context(request, group, current_tab=TOOL)
    context["can_manage_paths"] = access.can_manage_paths(request.user, group)
    context.update(extra)
    return context


def path_list(request, slug):
    group = _group(request, slug)
    form = None
    if access.can_manage_paths(request.user, group):
        form = PathForm(_posted(request))
        if request.method == "POST" and form.is_valid():
            try:
                path = services.path_create(request.user, group, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The learning path has been created."))
                return redirect("paths:path-detail", slug=group.slug, path_id=path.pk)
    elif request.method == "POST":
        raise PermissionDenied
    paths = selectors.group_paths(request.user, group)
    return render(request, "paths/path_list.html", _page(request, group, paths=paths, form=form))


def path_detail(request, slug, path_id):
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id)
    steps = selectors.path_steps(request.user, path)
    context = _page(
        request,
        group,
        path=path,
        steps=steps,
        done_count=sum(1 for s in steps if s.done),
        can_follow=access.can_follow_path(request.user, path),
    )
    if context["can_manage_paths"]:
        context["step_form"] = StepForm(candidates=selectors.step_candidates(request.user, group))
    return render(request, "paths/path_detail.html", context)


def path_edit(request, slug, path_id):
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id, for_write=True)
    initial = {"title": path.title, "description": path.description}
    form = PathForm(_posted(request), initial=initial)
    if request.method == "POST":
        if request.POST.get("delete"):
            services.path_delete(request.user, path)
            messages.success(request, _("The learning path has been deleted."))
            return redirect("paths:path-list", slug=group.slug)
        if form.is_valid():
            try:
                services.path_update(request.user, path, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The learning path has been saved."))
                return redirect("paths:path-detail", slug=group.slug, path_id=path.pk)
    return render(request, "paths/path_edit.html", _page(request, group, path=path, form=form))


def step_add(request, slug, path_id):
    return _step_form_page(request, slug, path_id, step_id=None)


def step_edit(request, slug, path_id, step_id):
    return _step_form_page(request, slug, path_id, step_id=step_id)


def _step_form_page(request, slug, path_id, *, step_id):
    """The step form of step_add (step_id None) and step_edit: the same checks, page and
    answers; only the service called, the form's initial values and the message differ."""
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id, for_write=True)
    step = None if step_id is None else access.access_step(request.user, path, step_id)
    initial = {}
    if step is not None:
        initial = {"url": step.url, "label": step.label}
        if step.target_id:
            initial["target"] = f"{step.kind}:{step.target_id}"
    candidates = selectors.step_candidates(request.user, group)
    form = StepForm(_posted(request), candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if step is None:
                services.step_add(request.user, path, **form.cleaned_data)
            else:
                services.step_update(request.user, step, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            added = step is None
            messages.success(
                request, _("The step has been added.") if added else _("The step has been saved.")
            )
            return redirect("paths:path-detail", slug=group.slug, path_id=path.pk)
    context = _page(request, group, path=path, form=form, step=step)
    return render(request, "paths/step_form.html", context, status=400 if form.errors else 200)


@require_POST
def step_move(request, slug, path_id, step_id):
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id, for_write=True)
    step = access.access_step(request.user, path, step_id)
    direction = request.POST.get("direction", "")
    try:
        services.step_move(request.user, step, direction=direction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    url = redirect("paths:path-detail", slug=group.slug, path_id=path.pk).url
    return redirect(f"{url}#step-{step.pk}")


@require_POST
def step_remove(request, slug, path_id, step_id):
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id, for_write=True)
    step = access.access_step(request.user, path, step_id)
    services.step_remove(request.user, step)
    messages.success(request, _("The step has been removed."))
    return redirect("paths:path-detail", slug=group.slug, path_id=path.pk)


@require_POST
def step_progress(request, slug, path_id, step_id):
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id)
    step = access.access_step(request.user, path, step_id)
    done = request.POST.get("done") == "1"
    services.progress_set(request.user, step, done=done)
    url = redirect("paths:path-detail", slug=group.slug, path_id=path.pk).url
    return redirect(f"{url}#step-{step.pk}")


def cohort_list(request, slug, path_id):
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id, for_write=True)
    form = CohortForm(_posted(request), actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_create(request.user, path, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The cohort has been created."))
            return redirect("paths:cohort-list", slug=group.slug, path_id=path.pk)
    cohorts = path.cohorts.prefetch_related("members")
    context = _page(request, group, path=path, form=form, cohorts=cohorts)
    return render(request, "paths/cohort_list.html", context, status=400 if form.errors else 200)


def cohort_edit(request, slug, path_id, cohort_id):
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id, for_write=True)
    cohort = access.access_cohort(request.user, path, cohort_id)
    if request.method == "POST" and request.POST.get("delete"):
        services.cohort_delete(request.user, cohort)
        messages.success(request, _("The cohort has been deleted."))
        return redirect("paths:cohort-list", slug=group.slug, path_id=path.pk)
    initial = {
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "members": ", ".join(a.username for a in cohort.members.order_by("last_name")),
    }
    form = CohortForm(_posted(request), actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.cohort_update(request.user, cohort, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The cohort has been saved."))
            return redirect("paths:cohort-list", slug=group.slug, path_id=path.pk)
    context = _page(request, group, path=path, form=form, cohort=cohort)
    return render(request, "paths/cohort_edit.html", context, status=400 if form.errors else 200)


def path_progress(request, slug, path_id):
    group = _group(request, slug)
    path = access.access_path(request.user, group, path_id, for_write=True)
    report = selectors.progress_report(path)
    if request.GET.get("format") == "csv":
        return csv_response(
            selectors.report_csv_rows(path, report), filename=f"parcours-{path.pk}.csv"
        )
    if request.GET.get("format"):
        raise Http404
    return render(request, "paths/path_progress.html", _page(request, group, path=path, **report))
