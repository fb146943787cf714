"""An agent's data page and download; staff's pages for exports, anonymisation, erasure."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from intranet.privacy import access, selectors, services
from intranet.privacy.archive import private_storage
from intranet.privacy.forms import ErasureForm


@require_GET
def my_data(request):
    exports = selectors.exports_of(request.user)
    return render(request, "privacy/my_data.html", {"exports": exports})


@require_POST
def export_request(request):
    services.export_request(request.user)
    messages.success(
        request, _("Your export is being prepared: you will be notified when it is ready.")
    )
    return redirect("privacy:my-data")


@require_GET
def export_download(request, export_id):
    export = access.access_export_download(request.user, export_id)
    try:
        file = private_storage().open(export.file_name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(file, as_attachment=True, filename=f"transverse-data-{export.pk}.zip")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def leaver_list(request):
    """Staff: the deactivated agents whose data is still held, to export or anonymise."""
    query = request.GET.get("q", "")[:100]
    agents = selectors.leavers_for_staff(request.user, query=query)
    return render(request, "privacy/leaver_list.html", {"agents": agents, "query": query})


@require_http_methods(["GET", "POST"])
def agent_data(request, agent_id):
    """Staff: an agent's data, with export, anonymise and erase (each confirmed)."""
    agent = selectors.agent_for_staff(request.user, agent_id)
    if request.method == "POST":
        services.export_request(request.user, agent=agent)
        messages.success(request, _("The export is being prepared: you will be notified."))
        return redirect("privacy:agent-data", agent_id=agent.pk)
    context = {
        "agent": agent,
        "counts": services.personal_data_counts(agent),
        "exports": selectors.exports_of(request.user, agent),
        "form": ErasureForm(),
    }
    return render(request, "privacy/agent_data.html", context)


@require_POST
def agent_anonymise(request, agent_id):
    agent = selectors.agent_for_staff(request.user, agent_id)
    try:
        services.agent_anonymise(request.user, agent, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The agent is anonymised."))
    return redirect("privacy:agent-data", agent_id=agent.pk)


@require_POST
def agent_erase(request, agent_id):
    agent = selectors.agent_for_staff(request.user, agent_id)
    form = ErasureForm(request.POST)
    if form.is_valid():
        try:
            services.agent_erase(
                request.user, agent, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The agent's content is erased and the agent anonymised."))
            return redirect("privacy:agent-data", agent_id=agent.pk)
    context = {
        "agent": agent,
        "counts": services.personal_data_counts(agent),
        "exports": selectors.exports_of(request.user, agent),
        "form": form,
    }
    return render(request, "privacy/agent_data.html", context, status=400)
