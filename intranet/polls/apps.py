"""Polls of a group: single or multiple choice, anonymous or named, results drawn as SVG."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PollsConfig(AppConfig):
    name = "intranet.polls"
    label = "polls"
    verbose_name = _("Polls")
