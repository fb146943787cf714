"""Events' activity for the dashboards (intranet.core.activity, docs/dashboards.md).

Two kinds, in the event's group:
- a registration (confirmed or on the waiting list), on the day it was made, for the agent
  who registered; a cancelled registration is deleted by the events app and no longer
  counts when a period is rebuilt;
- an attendance (marked by the organisers after the event), counted on the day the event
  started: attendance has no date of its own.
"""

from django.utils.translation import gettext_lazy as _

from intranet.core.activity import ActivitySource, activity_register
from intranet.events.models import Registration


def registrations(start, end):
    return Registration.objects.filter(created_at__gte=start, created_at__lt=end).values_list(
        "event__group_id", "agent_id"
    )


def attendances(start, end):
    return Registration.objects.filter(
        attended=True, event__starts_at__gte=start, event__starts_at__lt=end
    ).values_list("event__group_id", "agent_id")


activity_register(
    ActivitySource("registrations", _("event registrations"), registrations, order=90)
)
activity_register(ActivitySource("attendances", _("event attendances"), attendances, order=91))
