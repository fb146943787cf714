"""The directory app: sign-in against LDAP / AD and the periodic sync of agents."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "intranet.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self):
        from django.core import checks

        from intranet.directory import config
        from intranet.directory.services.schedule import schedule_after_migrate

        checks.register(config.check_directory_settings, checks.Tags.security)
        # `migrate` runs before the worker starts (see deploy/bootstrap.py): a good moment
        # to make sure the periodic sync is queued. post_migrate is Django's own signal.
        post_migrate.connect(schedule_after_migrate, sender=self)
