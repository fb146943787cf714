"""The directory app: sign-in against LDAP / AD and the periodic sync of agents."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "intranet.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self):
        from django.core import checks

        from intranet.core.schedule import Periodic, periodic_register
        from intranet.directory import config
        from intranet.directory.tasks import (
            DIRECTORY_JOB,
            first_sync_time,
            next_sync_time,
            sync_scheduled,
        )

        checks.register(config.check_directory_settings, checks.Tags.security)
        # The periodic sync; core queues it after every `migrate`, which the run command
        # does before it starts the worker (see deploy/bootstrap.py).
        periodic_register(
            Periodic(
                DIRECTORY_JOB,
                "intranet.directory.tasks.directory_sync_periodic",
                next_sync_time,
                enabled=sync_scheduled,
                first_run=first_sync_time,
            )
        )
