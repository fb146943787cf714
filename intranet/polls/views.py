"""Pages of a group's polls: the list (and a new poll for animators), a poll with its
ballot and, when the agent may see them, its results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from intranet.groups.access import access_group_tool
from intranet.groups.views import group_page_context
from intranet.polls import access, selectors, services
from intranet.polls.forms import PollForm


def _polls_group(request, slug):
    """The group at slug, when its polls tool is on and actor may read it (404 otherwise)."""
    return access_group_tool(request.user, slug, "polls")


def poll_list(request, slug):
    group = _polls_group(request, slug)
    can_create = access.can_create_poll(request.user, group)
    form = None
    if can_create:
        form = PollForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                poll = services.poll_create(request.user, group, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The poll has been published."))
                return redirect("polls:poll-detail", slug=group.slug, poll_id=poll.pk)
    elif request.method == "POST":
        raise PermissionDenied
    context = group_page_context(request, group, current_tab=access.TOOL)
    context.update(polls=selectors.group_polls(request.user, group), form=form)
    return render(request, "polls/poll_list.html", context)


def poll_detail(request, slug, poll_id):
    group = _polls_group(request, slug)
    poll = access.access_poll(request.user, group, poll_id)
    voted = access.has_voted(request.user, poll)
    context = group_page_context(request, group, current_tab=access.TOOL)
    context.update(
        poll=poll,
        choices=poll.choices.all(),
        voted=voted,
        can_vote=not voted and access.can_vote(request.user, poll),
        show_results=access.can_see_results(request.user, poll, voted=voted),
    )
    if context["show_results"]:
        context.update(selectors.poll_results(poll))
        if access.can_see_voters(request.user, poll):
            context["voters"] = selectors.named_voters(poll)
    return render(request, "polls/poll_detail.html", context)


@require_POST
def poll_vote(request, slug, poll_id):
    group = _polls_group(request, slug)
    poll = access.access_poll(request.user, group, poll_id)
    try:
        services.poll_vote(request.user, poll, choice_ids=request.POST.getlist("choice")[:50])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your vote has been recorded."))
    return redirect("polls:poll-detail", slug=group.slug, poll_id=poll.pk)
