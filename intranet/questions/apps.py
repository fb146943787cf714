"""Ask an expert: questions on a theme, routed to its ambassadors and experts, answered."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuestionsConfig(AppConfig):
    name = "intranet.questions"
    label = "questions"
    verbose_name = _("Questions to experts")

    def ready(self):
        from intranet.core.schedule import Periodic, periodic_register
        from intranet.questions.tasks import ESCALATION_JOB, next_escalation_check

        periodic_register(
            Periodic(
                ESCALATION_JOB,
                "intranet.questions.tasks.questions_escalate_periodic",
                next_escalation_check,
            )
        )
