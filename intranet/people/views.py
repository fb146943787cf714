"""Profiles, profile editing, photos and the people directory (skill pages: intranet.skills)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from intranet.accounts.access import access_agent, can_edit_profile
from intranet.accounts.fields import picked
from intranet.core.sections import section_fragment
from intranet.departments.selectors import department_breadcrumb
from intranet.people import selectors, services
from intranet.people.forms import LANGUAGE_LABELS, DirectoryFilterForm, ProfileForm
from intranet.skills import selectors as skill_selectors

PAGE_SIZE = 24


@require_GET
def agent_directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    agents = selectors.agent_directory(
        request.user,
        query=filters.get("q") or "",
        department=filters.get("department"),
        skill=filters.get("skill") or "",
    )
    page = Paginator(agents, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "skills": skill_selectors.popular_skills(request.user),
        "skill_suggestions": [],
    }
    skill = filters.get("skill")
    if skill and not page.paginator.count and not skill_selectors.skills_matching(skill).exists():
        # "Did you mean…": the nearest skills, each a link keeping the other filters.
        for near in skill_selectors.skill_suggestions(skill):
            query["skill"] = near.label
            context["skill_suggestions"].append((near.label, query.urlencode()))
    return render(request, "people/agent_directory.html", context)


@require_GET
def agent_suggestions(request):
    """The person picker's suggestions (static/transverse/picker.js), as JSON."""
    agents = selectors.agent_suggestions(request.user, request.GET.get("q", ""))
    results = [
        {
            "login": agent.username,
            "name": agent.display_name,
            "title": agent.title,
            "department": agent.department.label if agent.department else "",
            "value": picked(agent),
        }
        for agent in agents
    ]
    return JsonResponse({"results": results})


@require_GET
def agent_detail(request, username):
    agent = access_agent(request.user, username)
    if request.GET.get("fragment"):
        # "Voir plus": the next page of what fills the profile's main slot, nothing around.
        response = section_fragment("profile.main", request, agent)
        if response is None:
            raise Http404
        return response
    # Other apps' parts of the profile (posts, expertise, follow button) are sections of
    # the slots "profile.actions", "profile.expertise" and "profile.main".
    context = {
        "agent": agent,
        "breadcrumb": department_breadcrumb(agent.department),
        "claims": skill_selectors.agent_skill_claims(request.user, agent),
        "languages": [LANGUAGE_LABELS.get(code, code) for code in agent.languages],
        "reports": selectors.agent_reports(request.user, agent),
        "can_edit": can_edit_profile(request.user, agent),
    }
    return render(request, "people/agent_detail.html", context)


def profile_edit(request, username):
    agent = access_agent(request.user, username, for_write=True)
    initial = {
        "first_name": agent.first_name,
        "last_name": agent.last_name,
        "title": agent.title,
        "department": agent.department_id,
        "manager": picked(agent.manager) if agent.manager else "",
        "phone": agent.phone,
        "office": agent.office,
        "about": agent.about,
        "skills": ", ".join(s.label for s in skill_selectors.agent_skills(agent)),
        "languages": agent.languages,
    }
    form = ProfileForm(
        request.POST or None,
        request.FILES or None,
        agent=agent,
        initial=initial,
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo, remove = data.pop("photo"), data.pop("remove_photo")
        services.profile_update(request.user, agent, **data)
        if photo:
            services.profile_photo_set(request.user, agent, upload=photo)
        elif remove:
            services.profile_photo_remove(request.user, agent)
        messages.success(request, _("Your profile has been saved."))
        return redirect("people:agent-detail", username=agent.username)
    return render(request, "people/profile_edit.html", {"agent": agent, "form": form})


@require_GET
@cache_control(private=True, max_age=300)
def agent_photo(request, username):
    agent = access_agent(request.user, username)
    if not agent.photo:
        raise Http404
    try:
        handle = agent.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, content_type="image/jpeg")
