"""Notifications: in-app list, e-mail at once and the daily digest."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "intranet.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Each app declares what its notifications may point to in its notifications.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("notifications")

        from intranet.core.schedule import Periodic, periodic_register
        from intranet.notifications.tasks import DIGEST_JOB, next_digest_time

        periodic_register(
            Periodic(
                DIGEST_JOB, "intranet.notifications.tasks.daily_digest_periodic", next_digest_time
            )
        )
