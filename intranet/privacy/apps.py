"""Personal-data rights: each app declares its data in a personal_data.py module."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "intranet.privacy"
    label = "privacy"
    verbose_name = _("Personal data")

    def ready(self):
        # Each app that stores personal data declares it in its own personal_data.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("personal_data")

        from intranet.core.schedule import Periodic, periodic_register
        from intranet.notifications.targets import Target, target_register
        from intranet.privacy import tasks
        from intranet.privacy.access import visible_exports
        from intranet.privacy.models import DataExport

        periodic_register(
            Periodic(
                name=tasks.PURGE_JOB,
                task_path="intranet.privacy.tasks.privacy_daily",
                next_run=tasks.next_daily_run,
            )
        )
        target_register(
            Target(
                model=DataExport,
                visible=visible_exports,
                url=lambda export: export.page_url(),
                label=lambda export: export.label(),
            )
        )
