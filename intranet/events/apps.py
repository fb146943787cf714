"""Events: training sessions with registration, a waiting list, reminders and calendars."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "intranet.events"
    label = "events"
    verbose_name = _("Training sessions and events")

    def ready(self):
        from intranet.core.schedule import Periodic, periodic_register
        from intranet.events.hooks import session_ended_register
        from intranet.events.services import survey_send
        from intranet.events.tasks import ENDED_JOB, REMINDER_JOB, next_quarter_hour

        periodic_register(
            Periodic(REMINDER_JOB, "intranet.events.tasks.reminders_periodic", next_quarter_hour)
        )
        periodic_register(
            Periodic(ENDED_JOB, "intranet.events.tasks.sessions_ended_periodic", next_quarter_hour)
        )
        # The satisfaction survey: opened for each session once it has ended.
        session_ended_register(survey_send)
