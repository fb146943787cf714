"""Notifications' personal data: an agent's delivery choices and notifications
(intranet.accounts.personal_data)."""

from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.notifications.models import Notification, Preference


def _export(agent, archive) -> None:
    archive.write_json(
        "settings.json", Preference.objects.filter(agent=agent).values("kind", "channel")
    )


def _count(agent) -> int:
    return Notification.objects.filter(recipient=agent).count()


def _anonymise(agent) -> None:
    Notification.objects.filter(recipient=agent).delete()
    Preference.objects.filter(agent=agent).delete()


provider_register(
    Provider(
        name="notifications",
        label=_("notifications and their settings"),
        export=_export,
        count=_count,
        anonymise=_anonymise,
    )
)
