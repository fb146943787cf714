"""Moderation: reports on posts and comments, and the organisation's charter."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "intranet.moderation"
    label = "moderation"
    verbose_name = _("Moderation")
