"""Group pages: directory, creation, the group's page, members, invitations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.accounts.access import access_agent
from intranet.core.redirects import redirect_back
from intranet.core.sections import section_fragment, tabs_for
from intranet.groups import access, selectors, services
from intranet.groups.forms import (
    GroupCreateForm,
    GroupEditForm,
    GroupFilterForm,
    GroupToolsForm,
    InviteForm,
)
from intranet.groups.models import Invitation, JoinRequest, Membership
from intranet.groups.tools import enabled_tool_keys, tools


@require_GET
def group_list(request):
    form = GroupFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    groups = selectors.group_directory(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(groups, 24).get_page(request.GET.get("page"))
    page.object_list = selectors.with_card_actions(request.user, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": query.urlencode(),
        "my_groups": access.member_group_ids(request.user),
    }
    return render(request, "groups/group_list.html", context)


def group_create(request):
    form = GroupCreateForm(request.POST or None, request.FILES or None, actor=request.user)
    similar = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        similar = selectors.similar_groups(request.user, name=data["name"], themes=data["themes"])
        if not similar or data["confirm_distinct"]:
            group = services.group_create(
                request.user,
                name=data["name"],
                description=data["description"],
                policy=data["policy"],
                themes=data["themes"],
                image=data["image"],
                image_alt=data.get("image_alt", ""),
                image_decorative=data.get("image_decorative", False),
                parent=data.get("parent"),
                template=data.get("template") or "",
            )
            messages.success(request, _("The group has been created."))
            return redirect("groups:group-detail", slug=group.slug)
    return render(request, "groups/group_form.html", {"form": form, "similar": similar})


def group_page_context(request, group, *, current_tab: str = "") -> dict:
    """The top of a group's page, for the group's own tabs and for a tool's pages (wiki,
    events, polls, paths...): the group, the agent's membership and what they may do, and
    the tabs (intranet.core.sections "group.tabs"). The tab whose key is `current_tab` is
    marked current, so a tool's tab stays marked on every page of the tool."""
    actor = request.user
    can_request = access.can_request_to_join(actor, group)
    context = {
        "group": group,
        "membership": access.membership_of(actor, group),
        "member_count": selectors.member_count(group),
        "pending_request": can_request and selectors.has_pending_request(actor, group),
        "can_join": access.can_join_group(actor, group),
        "can_request": can_request,
        "can_manage": access.can_manage_members(actor, group),
        "can_administer": access.can_administer_group(actor, group),
        "can_manage_tools": access.can_manage_tools(actor, group),
        "tabs": tabs_for("group.tabs", request, group),
    }
    if current_tab:
        for tab in context["tabs"]:
            tab["current"] = tab["key"] == current_tab
    return context


@require_GET
def group_detail(request, slug):
    group = access.access_group(request.user, slug)
    if request.GET.get("fragment"):
        # "Voir plus": the next page of what fills the group's main slot, nothing around it.
        response = section_fragment("group.main", request, group)
        if response is None:
            raise Http404
        return response
    context = group_page_context(request, group)
    context["subgroups"] = access.visible_groups(request.user).filter(parent=group).order_by("name")
    return render(request, "groups/group_detail.html", context)


@require_GET
def group_about(request, slug):
    group = access.access_group(request.user, slug)
    context = group_page_context(request, group)
    context["subgroups"] = access.visible_groups(request.user).filter(parent=group).order_by("name")
    context["animators"] = selectors.group_animators(group)
    return render(request, "groups/group_about.html", context)


def group_edit(request, slug):
    group = access.access_group(request.user, slug, for_write=True)
    initial = {
        "name": group.name,
        "description": group.description,
        "policy": group.policy,
        "themes": ", ".join(t.label for t in group.themes.all()),
        "image_alt": group.image_alt,
        "image_decorative": group.image_decorative,
    }
    form = GroupEditForm(request.POST or None, initial=initial, group=group)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        image_alt = data.pop("image_alt", None)
        decorative = data.pop("image_decorative", False)
        services.group_update(request.user, group, **data)
        if form.has_image:
            services.group_image_describe(
                request.user, group, image_alt=image_alt or "", decorative=decorative
            )
        messages.success(request, _("The group has been saved."))
        return redirect("groups:group-detail", slug=group.slug)
    return render(request, "groups/group_edit.html", {"form": form, "group": group})


def group_tools(request, slug):
    """The group's settings for its tools: animators switch each one on or off."""
    group = access.access_group(request.user, slug)
    if not access.can_manage_tools(request.user, group):
        raise PermissionDenied
    initial = {"tools": sorted(enabled_tool_keys(group))}
    form = GroupToolsForm(request.POST or None, initial=initial, registered=tools())
    if request.method == "POST" and form.is_valid():
        services.group_tools_set(request.user, group, keys=form.cleaned_data["tools"])
        messages.success(request, _("The group's tools have been saved."))
        return redirect("groups:group-tools", slug=group.slug)
    context = group_page_context(request, group)
    context["form"] = form
    return render(request, "groups/group_tools.html", context)


@require_GET
def group_image(request, slug):
    group = access.access_group(request.user, slug)
    if not group.image:
        raise Http404
    return FileResponse(group.image.open("rb"), content_type="image/jpeg")


@require_GET
def group_members(request, slug):
    group = access.access_group(request.user, slug)
    if not access.can_read_group_content(request.user, group):
        raise Http404
    context = group_page_context(request, group)
    context.update(
        members=selectors.group_members(group),
        requests=selectors.pending_requests(group) if context["can_manage"] else [],
        invite_form=InviteForm(),
        roles=Membership.Role,
    )
    return render(request, "groups/group_members.html", context)


def _act(request, slug, action, success: str):
    """Run a membership action on the group at slug, report its outcome, go back."""
    group = access.access_group(request.user, slug)
    try:
        action(group)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect_back(request, group_url(group))


def group_url(group) -> str:
    from django.urls import reverse

    return reverse("groups:group-detail", args=[group.slug])


@require_POST
def group_join(request, slug):
    return _act(
        request, slug, lambda g: services.group_join(request.user, g), _("Welcome to the group!")
    )


@require_POST
def group_request(request, slug):
    message = request.POST.get("message", "")
    return _act(
        request,
        slug,
        lambda g: services.group_request_join(request.user, g, message=message),
        _("Your request has been sent to the group's animators."),
    )


@require_POST
def group_leave(request, slug):
    group = access.access_group(request.user, slug)
    services.group_leave(request.user, group)
    messages.success(request, _("You have left the group."))
    return redirect("groups:group-list")


@require_POST
def group_notify_toggle(request, slug):
    enabled = request.POST.get("enabled") == "1"
    return _act(
        request,
        slug,
        lambda g: services.group_notify_posts_set(request.user, g, enabled=enabled),
        _("Your notification choice has been saved."),
    )


@require_POST
def group_invite(request, slug):
    group = access.access_group(request.user, slug)
    form = InviteForm(request.POST, actor=request.user)
    if form.is_valid():
        invited = services.group_invite(
            request.user,
            group,
            agents=form.cleaned_data["logins"] or [],
            department=form.cleaned_data["department"],
        )
        messages.success(request, _("%(n)d invitation(s) sent.") % {"n": len(invited)})
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("groups:group-members", slug=group.slug)


@require_POST
def request_decide(request, slug, request_id):
    group = access.access_group(request.user, slug)
    join_request = get_object_or_404(JoinRequest, pk=request_id, group=group)
    approve = request.POST.get("decision") == "approve"
    services.join_request_decide(request.user, join_request, approve=approve)
    messages.success(request, _("Request approved.") if approve else _("Request declined."))
    return redirect("groups:group-members", slug=group.slug)


@require_POST
def member_remove(request, slug, username):
    agent = access_agent(request.user, username)
    return _act(
        request,
        slug,
        lambda g: services.group_member_remove(request.user, g, agent),
        _("The member has been removed."),
    )


@require_POST
def member_role(request, slug, username):
    agent = access_agent(request.user, username)
    role = request.POST.get("role", "")
    return _act(
        request,
        slug,
        lambda g: services.group_member_role_set(request.user, g, agent, role=role),
        _("The role has been changed."),
    )


@require_POST
def ownership_transfer(request, slug, username):
    agent = access_agent(request.user, username)
    return _act(
        request,
        slug,
        lambda g: services.group_ownership_transfer(request.user, g, agent),
        _("Ownership has been handed over."),
    )


@require_POST
def group_archive(request, slug):
    archived = request.POST.get("archived") == "1"
    return _act(
        request,
        slug,
        lambda g: services.group_archive(request.user, g, archived=archived),
        _("The group is archived.") if archived else _("The group is active again."),
    )


@require_POST
def group_official(request, slug):
    official = request.POST.get("official") == "1"
    return _act(
        request,
        slug,
        lambda g: services.group_mark_official(request.user, g, official=official),
        _("The group's official mark has been changed."),
    )


@require_GET
def invitation_list(request):
    invitations = selectors.my_invitations(request.user)
    return render(request, "groups/invitation_list.html", {"invitations": invitations})


@require_POST
def invitation_answer(request, invitation_id):
    invitation = get_object_or_404(Invitation, pk=invitation_id, agent_id=request.user.pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.invitation_answer(request.user, invitation, accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect_back(request, reverse("groups:invitation-list"))
    if accept:
        messages.success(request, _("Welcome to the group!"))
        fallback = reverse("groups:group-detail", args=[invitation.group.slug])
        return redirect_back(request, fallback)
    messages.success(request, _("Invitation declined."))
    return redirect_back(request, reverse("groups:invitation-list"))
