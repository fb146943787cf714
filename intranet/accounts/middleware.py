"""Dates and times in the agent's own time zone: activated for each request (Django's
timezone.activate), the site's zone (settings.TIME_ZONE) for anonymous visitors."""

from django.utils import timezone

from intranet.accounts.models import agent_zone


class AgentTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(agent_zone(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # the thread serves the next request from scratch
