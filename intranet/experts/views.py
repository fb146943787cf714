"""Expert finder, themes with their ambassadors, the coverage matrix and invitations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.core.redirects import redirect_back
from intranet.core.spreadsheets import csv_response
from intranet.experts import access, exports, selectors, services
from intranet.experts.forms import AmbassadorInviteForm, CoverageFilterForm, FinderForm, ThemeForm


@require_GET
def expert_finder(request):
    """Experts on a skill or theme; for a query that matches no skill, the nearest skills
    ("Did you mean…") and the themes whose ambassadors can be asked."""
    themes = list(access.visible_themes(request.user).filter(is_active=True))
    form = FinderForm(request.GET or None, themes=themes)
    subject, results, ask_themes, suggestions = None, [], [], []
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["theme"]):
        data = form.cleaned_data
        subject = selectors.finder_subject(request.user, data["q"], theme=data["theme"])
        if subject is not None:
            results = selectors.expert_finder(
                request.user,
                subject,
                department=data["department"],
                office=data["office"],
                level=data["level"],
                accepts_requests=data["accepts_requests"],
            )
            ask_themes = selectors.subject_themes(request.user, subject)
        else:
            near = selectors.finder_suggestions(request.user, data["q"], themes=themes)
            suggestions = [_with_query(request, skill.label) for skill in near.skills]
            ask_themes = near.themes
    context = {
        "form": form,
        "subject": subject,
        "results": results,
        "themes": themes,
        "ask_themes": ask_themes,
        "suggestions": suggestions,
    }
    return render(request, "experts/expert_finder.html", context)


def _with_query(request, label: str) -> tuple[str, str]:
    """(label, the finder's query string searching label with the same filters)."""
    query = request.GET.copy()
    query["q"] = label
    query.pop("theme", None)
    return label, query.urlencode()


@require_GET
def theme_list(request):
    themes = access.visible_themes(request.user).prefetch_related("skills", "topics")
    context = {"themes": themes, "can_manage": access.can_manage_themes(request.user)}
    return render(request, "experts/theme_list.html", context)


def _theme_form_save(request, form, theme=None):
    data = form.cleaned_data
    try:
        if theme is None:
            return services.theme_create(
                request.user,
                name=data["name"],
                description=data["description"],
                skills=data["skills"],
                topics=data["topics"],
            )
        return services.theme_update(request.user, theme, **data)
    except ValidationError as error:
        form.add_error(None, error)
        return None


def theme_create(request):
    if not access.can_manage_themes(request.user):
        raise PermissionDenied
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        theme = _theme_form_save(request, form)
        if theme is not None:
            messages.success(request, _("The theme has been created."))
            return redirect("experts:theme-detail", slug=theme.slug)
    return render(request, "experts/theme_form.html", {"form": form, "theme": None})


def theme_edit(request, slug):
    theme = access.access_theme(request.user, slug, for_write=True)
    initial = {
        "name": theme.name,
        "description": theme.description,
        "is_active": theme.is_active,
        "skills": ", ".join(s.label for s in theme.skills.all()),
        "topics": ", ".join(t.label for t in theme.topics.all()),
    }
    form = ThemeForm(request.POST or None, initial=initial)
    saved = request.method == "POST" and form.is_valid() and _theme_form_save(request, form, theme)
    if saved:
        messages.success(request, _("The theme has been saved."))
        return redirect("experts:theme-detail", slug=theme.slug)
    return render(request, "experts/theme_form.html", {"form": form, "theme": theme})


@require_GET
def theme_detail(request, slug):
    theme = access.access_theme(request.user, slug)
    context = {
        "theme": theme,
        "by_department": selectors.theme_ambassadors_by_department(theme),
        "can_manage": access.can_manage_themes(request.user),
        "designable_ids": set(
            access.designable_departments(request.user).values_list("pk", flat=True)
        ),
    }
    context["can_designate"] = bool(context["designable_ids"])
    return render(request, "experts/theme_detail.html", context)


def _coverage(request):
    themes = list(access.visible_themes(request.user).filter(is_active=True))
    form = CoverageFilterForm(request.GET or None, themes=themes)
    data = form.cleaned_data if form.is_valid() else {}
    coverage = selectors.coverage_matrix(
        request.user, department=data.get("department"), theme=data.get("theme")
    )
    return form, coverage


@require_GET
def coverage(request):
    form, matrix = _coverage(request)
    query = request.GET.urlencode()
    context = {"form": form, "coverage": matrix, "query_string": query}
    return render(request, "experts/coverage.html", context)


@require_GET
def coverage_csv(request):
    _form, matrix = _coverage(request)
    day = timezone.localdate().isoformat()
    return csv_response(exports.coverage_rows(matrix), filename=f"couverture-{day}.csv")


def ambassador_invite(request):
    departments = list(access.designable_departments(request.user).order_by("path"))
    if not departments:
        raise PermissionDenied
    themes = list(access.visible_themes(request.user).filter(is_active=True))
    initial = {"theme": request.GET.get("theme"), "starts_on": timezone.localdate()}
    form = AmbassadorInviteForm(
        request.POST or None,
        initial=initial,
        themes=themes,
        departments=departments,
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            ambassador = services.ambassador_invite(request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(agent)s is invited; they become ambassador once they accept.")
                % {"agent": ambassador.agent.display_name},
            )
            return redirect("experts:theme-detail", slug=ambassador.theme.slug)
    return render(request, "experts/ambassador_invite.html", {"form": form})


@require_GET
def invitation_list(request):
    rows = access.ambassador_invitations(request.user).select_related("theme", "department")
    context = {
        "invited": [a for a in rows if a.status == a.Status.INVITED],
        "others": [a for a in rows.order_by("-starts_on") if a.status != a.Status.INVITED],
    }
    return render(request, "experts/invitation_list.html", context)


@require_POST
def ambassador_respond(request, pk):
    accept = request.POST.get("accept") == "1"
    try:
        services.ambassador_respond(request.user, pk, accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You are now ambassador.") if accept else _("You declined the invitation."),
        )
    return redirect_back(request, reverse("experts:invitation-list"))


def ambassador_end(request, pk):
    ambassador = access.access_ambassador(request.user, pk, for_write=True)
    if request.method == "POST":
        services.ambassador_end(request.user, ambassador.pk)
        messages.success(request, _("The mandate has ended."))
        return redirect("experts:theme-detail", slug=ambassador.theme.slug)
    return render(request, "experts/ambassador_end.html", {"ambassador": ambassador})
