"""Shared, domain-free pieces: settings readers, Markdown, text folding, branding."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "intranet.core"
    label = "core"
    verbose_name = _("Site")

    def ready(self):
        from intranet.core import signals  # noqa: F401
