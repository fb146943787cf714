"""Reporting, the moderation queue and the charter."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intranet.core.redirects import redirect_back, safe_next
from intranet.moderation import access, selectors, services
from intranet.moderation.charter import charter_accepted, charter_current
from intranet.moderation.forms import CharterAcceptForm, CharterForm, ReportForm
from intranet.moderation.models import Report
from intranet.moderation.reportables import reportable


def report_create(request):
    post_id, comment_id = request.GET.get("post"), request.GET.get("comment")
    kind = reportable("comment" if comment_id else "post")
    target = kind.access(request.user, comment_id or post_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_create(
            request.user,
            reason=form.cleaned_data["reason"],
            details=form.cleaned_data["details"],
            post_id=None if comment_id else target.pk,
            comment_id=target.pk if comment_id else None,
        )
        messages.success(request, _("Thank you: the moderators will look at your report."))
        return redirect_back(request, kind.url(target))
    context = {
        "form": form,
        "target": target,
        "is_comment": bool(comment_id),
        "next": safe_next(request, ""),
    }
    return render(request, "moderation/report_form.html", context)


@require_GET
def report_queue(request):
    if not access.can_moderate_anything(request.user):
        raise Http404
    status = request.GET.get("status", Report.Status.OPEN)
    if status not in Report.Status.values:
        status = Report.Status.OPEN
    reports = selectors.report_queue(request.user, status=status)
    context = {"reports": reports, "status": status, "statuses": Report.Status.choices}
    return render(request, "moderation/report_queue.html", context)


@require_POST
def report_decide(request, report_id):
    try:
        services.report_decide(request.user, report_id, decision=request.POST.get("decision", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your decision has been applied."))
    return redirect("moderation:report-queue")


def charter(request):
    current = charter_current()
    form = CharterAcceptForm(
        request.POST or None, initial={"version": current.pk if current else None}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.charter_accept(request.user, version_id=form.cleaned_data["version"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("moderation:charter")
        messages.success(request, _("Thank you for accepting the charter."))
        return redirect_back(request, reverse("home"))
    context = {
        "charter": current,
        "form": form,
        "accepted": charter_accepted(request.user),
        "can_edit": access.can_edit_charter(request.user),
    }
    return render(request, "moderation/charter.html", context)


def charter_edit(request):
    if not access.can_edit_charter(request.user):
        raise PermissionDenied
    current = charter_current()
    form = CharterForm(request.POST or None, initial={"body": current.body if current else ""})
    if request.method == "POST" and form.is_valid():
        services.charter_publish(request.user, body=form.cleaned_data["body"])
        messages.success(request, _("The new version of the charter is published."))
        return redirect("moderation:charter")
    return render(request, "moderation/charter_edit.html", {"form": form})
