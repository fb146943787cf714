"""Notification targets of events: a session (promotion, reminder) and its satisfaction
survey (the link leads to the survey's form; re-checked through visible_surveys)."""

from intranet.events.access import visible_events, visible_surveys
from intranet.events.models import Event, Survey
from intranet.notifications.targets import Target, target_register


def _url(event):
    from intranet.events.views import event_url

    return event_url(event)


def _survey_url(survey):
    from intranet.events.views import survey_url

    return survey_url(survey)


target_register(
    Target(
        model=Event,
        visible=visible_events,
        url=_url,
        label=lambda event: event.title,
        related=("group",),
    )
)

target_register(
    Target(
        model=Survey,
        visible=visible_surveys,
        url=_survey_url,
        label=lambda survey: survey.event.title,
        related=("event__group",),
    )
)
