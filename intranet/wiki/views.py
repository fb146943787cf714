"""Wiki pages of a group: contents, page, create, edit (with the conflict answer),
history, side-by-side diff, restore."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.groups.access import access_group_tool, can_moderate_group
from intranet.groups.views import group_page_context
from intranet.wiki import access, selectors, services
from intranet.wiki.access import TOOL
from intranet.wiki.diff import diff_rows
from intranet.wiki.forms import PageForm, RestoreForm
from intranet.wiki.rendering import render_page


def _page_context(request, group, **extra) -> dict:
    context = group_page_context(request, group, current_tab=TOOL)
    context["can_create_page"] = access.can_create_page(request.user, group)
    context.update(extra)
    return context


@require_GET
def page_index(request, slug):
    group = access_group_tool(request.user, slug, TOOL)
    context = _page_context(request, group, contents=selectors.group_contents(group))
    return render(request, "wiki/page_index.html", context)


@require_GET
def page_detail(request, slug, page_slug):
    group = access_group_tool(request.user, slug, TOOL)
    page = access.access_page(request.user, group, page_slug)
    context = _page_context(
        request,
        group,
        page=page,
        html=render_page(page, can_create=access.can_create_page(request.user, group)),
        ancestors=selectors.page_ancestors(page),
        children=selectors.page_children(page),
        can_edit=access.can_edit_page(request.user, page),
    )
    return render(request, "wiki/page_detail.html", context)


def _save(request, form, save) -> tuple[object | None, object | None]:
    """Run save(cleaned_data); a refused input goes back to the form (a conflict too)."""
    try:
        return save(form.cleaned_data), None
    except services.EditConflict as conflict:
        form.add_error(None, conflict)
        return None, conflict.page
    except ValidationError as error:
        form.add_error(None, error)
        return None, None


def page_create(request, slug):
    group = access_group_tool(request.user, slug, TOOL)
    if not access.can_create_page(request.user, group):
        raise PermissionDenied
    parents = selectors.parent_choices(group)
    initial = {"title": request.GET.get("title", "")[:200], "parent": request.GET.get("parent")}
    form = PageForm(
        request.POST or None,
        initial=initial,
        parents=parents,
        may_set_editors=can_moderate_group(request.user, group),
    )
    if request.method == "POST" and form.is_valid():

        def save(data):
            return services.page_create(
                request.user,
                group,
                title=data["title"],
                body=data["body"],
                parent=group.wiki_pages.filter(pk=data["parent"]).first()
                if data["parent"]
                else None,
                editors=data.get("editors") or "members",
                comment=data["comment"],
                announce=not data["minor"],
            )

        page, _current = _save(request, form, save)
        if page is not None:
            messages.success(request, _("The page has been created."))
            return redirect("wiki:page-detail", slug=group.slug, page_slug=page.slug)
    return render(request, "wiki/page_form.html", _page_context(request, group, form=form))


def page_edit(request, slug, page_slug):
    group = access_group_tool(request.user, slug, TOOL)
    page = access.access_page(request.user, group, page_slug, for_write=True)
    initial = {
        "title": page.title,
        "body": page.body,
        "parent": page.parent_id,
        "editors": page.editors,
        "version": page.version,
    }
    form = PageForm(
        request.POST or None,
        initial=initial,
        parents=selectors.parent_choices(group, page),
        may_set_editors=access.can_change_editors(request.user, page),
    )
    current = None
    if request.method == "POST" and form.is_valid():

        def save(data):
            parent = group.wiki_pages.filter(pk=data["parent"]).first() if data["parent"] else None
            return services.page_edit(
                request.user,
                page,
                base_version=data["version"] or page.version,
                title=data["title"],
                body=data["body"],
                parent=parent,
                editors=data.get("editors"),
                comment=data["comment"],
                minor=data["minor"],
            )

        saved, current = _save(request, form, save)
        if saved is not None:
            messages.success(request, _("The page has been saved."))
            return redirect("wiki:page-detail", slug=group.slug, page_slug=saved.slug)
    context = _page_context(request, group, form=form, page=page, current=current)
    if current is not None:
        # The loser keeps their text in the form; the version now saved is shown beside it.
        context["conflict_rows"] = diff_rows(current.body, form.data.get("body", ""))
        form.data = form.data.copy()
        form.data["version"] = current.version
    # 200 like any form with errors (a 4xx page would read as a failed load in browsers).
    return render(request, "wiki/page_form.html", context)


@require_GET
def page_history(request, slug, page_slug):
    group = access_group_tool(request.user, slug, TOOL)
    page = access.access_page(request.user, group, page_slug)
    context = _page_context(
        request,
        group,
        page=page,
        versions=selectors.page_versions(page),
        can_edit=access.can_edit_page(request.user, page),
    )
    return render(request, "wiki/page_history.html", context)


def _number(raw, default: int) -> int:
    try:
        number = int(raw) if raw not in (None, "") else default
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= number <= 2**31 - 1:  # beyond any version, and any database integer
        raise Http404
    return number


@require_GET
def page_diff(request, slug, page_slug):
    group = access_group_tool(request.user, slug, TOOL)
    page = access.access_page(request.user, group, page_slug)
    new_number = _number(request.GET.get("to"), page.version)
    old_number = _number(request.GET.get("from"), max(new_number - 1, 1))
    versions = {v.number: v for v in page.versions.filter(number__in=[old_number, new_number])}
    if old_number not in versions or new_number not in versions:
        raise Http404
    old, new = versions[old_number], versions[new_number]
    context = _page_context(
        request,
        group,
        page=page,
        old=old,
        new=new,
        rows=diff_rows(old.body, new.body),
        title_changed=old.title != new.title,
        can_edit=access.can_edit_page(request.user, page),
    )
    return render(request, "wiki/page_diff.html", context)


@require_POST
def page_restore(request, slug, page_slug, number):
    group = access_group_tool(request.user, slug, TOOL)
    page = access.access_page(request.user, group, page_slug, for_write=True)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        services.page_restore(
            request.user, page, number=number, base_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("wiki:page-history", slug=group.slug, page_slug=page.slug)
    messages.success(request, _("Version %(number)d has been restored.") % {"number": number})
    return redirect("wiki:page-detail", slug=group.slug, page_slug=page.slug)
