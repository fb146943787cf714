from intranet.events.access import visible_events
from intranet.events.models import Event
from intranet.notifications.targets import Target, target_register


def _url(event):
    from intranet.events.views import event_url

    return event_url(event)


target_register(
    Target(
        model=Event,
        visible=visible_events,
        url=_url,
        label=lambda event: event.title,
        related=("group",),
    )
)
