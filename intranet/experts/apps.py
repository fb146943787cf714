"""Experts: themes, their ambassadors in each department, and the expert finder."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "intranet.experts"
    label = "experts"
    verbose_name = _("Experts and ambassadors")
