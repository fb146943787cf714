"""Moderation: reports on posts and comments, and the organisation's charter."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "intranet.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self):
        # Each app declares what agents may report in its own moderation.py.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("moderation")
