"""Pages of a group's sessions, the agent's calendar, ICS files and webcal feeds, the
satisfaction survey and its results (per session and per programme: the group's sessions)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from intranet.core.spreadsheets import csv_response
from intranet.events import access, selectors, services
from intranet.events.forms import EventForm, SurveyForm
from intranet.events.ics import calendar_of, ics_response
from intranet.events.models import Registration
from intranet.groups.access import access_group_tool
from intranet.groups.views import group_page_context


def event_url(event) -> str:
    return reverse("events:event-detail", args=[event.group.slug, event.pk])


def group_events(request, slug):
    group = access_group_tool(request.user, slug, access.TOOL)
    can_manage = access.can_manage_events(request.user, group)
    form = EventForm()
    if request.method == "POST":
        if not can_manage:
            raise Http404
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = services.event_create(request.user, group, **form.service_fields())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The session is created."))
                return redirect(event_url(event))
    context = group_page_context(request, group, current_tab=access.TOOL)
    context.update(
        events=selectors.group_events(request.user, group),
        past_events=selectors.group_events(request.user, group, past=True)[:20],
        can_manage_events=can_manage,
        can_see_survey_results=access.can_see_survey_results(request.user, group),
        form=form,
        time_zone=timezone.get_current_timezone_name(),
        group_feed_url=_webcal(
            request,
            reverse(
                "events:feed-group",
                args=[request.user.pk, services.calendar_token(request.user), group.slug],
            ),
        ),
    )
    return render(request, "events/group_events.html", context, status=400 if form.errors else 200)


@require_GET
def event_detail(request, slug, event_id):
    event = access.access_event(request.user, slug, event_id)
    registration = selectors.registration_of(request.user, event)
    can_manage = access.can_manage_events(request.user, event.group)
    context = group_page_context(request, event.group, current_tab=access.TOOL)
    context.update(
        event=event,
        registration=registration,
        position=selectors.waiting_position(registration)
        if registration and registration.status == Registration.Status.WAITING
        else None,
        taken=event.registrations.filter(status=Registration.Status.REGISTERED).count(),
        can_register=access.can_register(request.user, event.group),
        can_manage_events=can_manage,
        registrations=selectors.registrations(event) if can_manage else [],
        started=event.starts_at <= timezone.now(),
    )
    context.update(_survey_context(request, event, registration))
    return render(request, "events/event_detail.html", context)


def _survey_context(request, event, registration) -> dict:
    """The survey links of a session page: to answer (attendees), to read (animators)."""
    survey = selectors.survey_of(event) if event.ended_hook_at else None
    attended = bool(registration and registration.attended and registration.status == "registered")
    return {
        "survey_exists": survey is not None,
        "survey_open": survey is not None and attended,
        "survey_answered": survey is not None
        and attended
        and selectors.has_answered(request.user, survey),
        "can_see_survey_results": access.can_see_survey_results(request.user, event.group),
    }


def _act(request, slug, event_id, action):
    event = access.access_event(request.user, slug, event_id)
    try:
        message = action(event)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect(event_url(event))


@require_POST
def event_register(request, slug, event_id):
    def act(event):
        registration = services.event_register(request.user, event)
        if registration.status == Registration.Status.WAITING:
            return _("The session is full: you are on the waiting list.")
        return _("You are registered for the session.")

    return _act(request, slug, event_id, act)


@require_POST
def event_cancel(request, slug, event_id):
    def act(event):
        services.event_cancel(request.user, event)
        return _("Your registration is cancelled.")

    return _act(request, slug, event_id, act)


@require_POST
def event_attendance(request, slug, event_id):
    def act(event):
        services.attendance_set(request.user, event, request.POST.getlist("present"))
        return _("Attendance is saved.")

    return _act(request, slug, event_id, act)


@require_GET
def event_attendees_csv(request, slug, event_id):
    event = access.access_event(request.user, slug, event_id)
    if not access.can_manage_events(request.user, event.group):
        raise Http404
    rows = [[_("Name"), _("E-mail"), _("Department"), _("Status"), _("Present")]]
    for r in selectors.registrations(event):
        rows.append(
            [
                r.agent.display_name,
                r.agent.email,
                str(r.agent.department) if getattr(r.agent, "department_id", None) else "",
                r.get_status_display(),
                _("yes") if r.attended else _("no"),
            ]
        )
    return csv_response(rows, filename=f"attendees-{event.pk}.csv")


@require_GET
def event_ics(request, slug, event_id):
    event = access.access_event(request.user, slug, event_id)
    data = calendar_of(
        [event], name=event.title, url_for=lambda e: request.build_absolute_uri(event_url(e))
    )
    return ics_response(data, filename=f"session-{event.pk}.ics")


def _month(value: str) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in str(value).split("-", 1))
        date(year, month, 1)
        if not 1900 <= year <= 9998:
            raise ValueError
    except (TypeError, ValueError):
        return today.year, today.month
    return year, month


@require_GET
def calendar_page(request):
    year, month = _month(request.GET.get("month", ""))
    view = "list" if request.GET.get("view") == "list" else "month"
    weeks, events = selectors.month_grid(request.user, year, month)
    first = date(year, month, 1)
    prev_month = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    next_month = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return render(
        request,
        "events/calendar.html",
        {
            "weeks": weeks,
            "events": events,
            "first": first,
            "view": view,
            "prev_month": prev_month.strftime("%Y-%m"),
            "next_month": next_month.strftime("%Y-%m"),
            "this_month": first.strftime("%Y-%m"),
            "weekdays": [weeks[0][i].day for i in range(7)],
        },
    )


def _webcal(request, path: str) -> str:
    return "webcal://" + request.build_absolute_uri(path).split("://", 1)[1]


def feeds(request):
    """The agent's webcal URLs, and resetting their secret."""
    if request.method == "POST":
        services.calendar_token_reset(request.user)
        messages.success(request, _("Your calendar links are renewed: the old ones stop working."))
        return redirect("events:feeds")
    token = services.calendar_token(request.user)
    path = reverse("events:feed-agent", args=[request.user.pk, token])
    url = request.build_absolute_uri(path)
    return render(
        request,
        "events/feeds.html",
        {"feed_url": url, "webcal_url": _webcal(request, path)},
    )


@login_not_required
@require_GET
def feed_agent(request, agent_id, token):
    agent = selectors.agent_for_token(agent_id, token)
    if agent is None:
        raise Http404
    events = selectors.agent_registered_events(agent).select_related("group")
    data = calendar_of(
        events,
        name=_("My sessions"),
        url_for=lambda e: request.build_absolute_uri(event_url(e)),
    )
    return ics_response(data, filename="sessions.ics")


@login_not_required
@require_GET
def feed_group(request, agent_id, token, slug):
    agent = selectors.agent_for_token(agent_id, token)
    if agent is None:
        raise Http404
    group = access_group_tool(agent, slug, access.TOOL)
    events = access.visible_events(agent).filter(group=group).select_related("group")
    data = calendar_of(
        events, name=group.name, url_for=lambda e: request.build_absolute_uri(event_url(e))
    )
    return ics_response(data, filename=f"{group.slug}.ics")


def survey_url(survey) -> str:
    return reverse("events:survey-answer", args=[survey.event.group.slug, survey.event_id])


def survey_answer(request, slug, event_id):
    """The survey form for an attendee of the session (404 for anybody else)."""
    survey = access.access_survey(request.user, slug, event_id)
    event = survey.event
    answered = selectors.has_answered(request.user, survey)
    form = SurveyForm(request.POST or None) if not answered else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.survey_answer(request.user, survey, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you: your answers are recorded."))
            return redirect(survey_url(survey))
    elif request.method == "POST" and answered:
        messages.error(request, _("You have already answered this survey."))
        return redirect(survey_url(survey))
    context = group_page_context(request, event.group, current_tab=access.TOOL)
    context.update(event=event, survey=survey, form=form, answered=answered)
    status = 400 if form is not None and form.errors else 200
    return render(request, "events/survey_answer.html", context, status=status)


def _results_event(request, slug, event_id):
    event = access.access_event(request.user, slug, event_id)
    if not access.can_see_survey_results(request.user, event.group):
        raise Http404
    survey = selectors.survey_of(event)
    if survey is None:
        raise Http404
    return event, survey


@require_GET
def survey_results(request, slug, event_id):
    event, survey = _results_event(request, slug, event_id)
    context = group_page_context(request, event.group, current_tab=access.TOOL)
    context.update(
        selectors.survey_results(selectors.event_survey_answers(survey)),
        event=event,
        survey=survey,
        attendee_count=len(selectors.attendees(event)),
    )
    return render(request, "events/survey_results.html", context)


def _answers_csv(answers, filename: str):
    header = [_("Session"), _("Date"), _("Satisfaction"), _("Usefulness"), _("Pace")]
    rows = [[*header, _("Would recommend"), pgettext("noun", "Comment")]]
    for a in answers.select_related("survey__event").order_by("survey__event__starts_at", "pk"):
        rows.append(
            [
                a.survey.event.title,
                timezone.localtime(a.survey.event.starts_at).strftime("%Y-%m-%d %H:%M"),
                a.satisfaction,
                a.usefulness,
                a.get_pace_display(),
                _("yes") if a.recommend else _("no"),
                a.comment,
            ]
        )
    return csv_response(rows, filename=filename)


@require_GET
def survey_results_csv(request, slug, event_id):
    event, survey = _results_event(request, slug, event_id)
    return _answers_csv(selectors.event_survey_answers(survey), f"survey-{event.pk}.csv")


def _programme_group(request, slug):
    group = access_group_tool(request.user, slug, access.TOOL)
    if not access.can_see_survey_results(request.user, group):
        raise Http404
    return group


@require_GET
def programme_results(request, slug):
    """The surveys of all the group's sessions (the programme), together and per session."""
    group = _programme_group(request, slug)
    context = group_page_context(request, group, current_tab=access.TOOL)
    context.update(
        selectors.survey_results(selectors.programme_answers(request.user, group)),
        surveys=selectors.programme_surveys(request.user, group),
    )
    return render(request, "events/survey_programme.html", context)


@require_GET
def programme_results_csv(request, slug):
    group = _programme_group(request, slug)
    return _answers_csv(
        selectors.programme_answers(request.user, group), f"{group.slug}-surveys.csv"
    )
