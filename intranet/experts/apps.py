"""Experts: themes, their ambassadors in each department, and the expert finder."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "intranet.experts"
    label = "experts"
    verbose_name = _("Experts and ambassadors")

    def ready(self):
        # Apps whose work counts as evidence in the expert finder register it in their
        # experts.py (intranet.experts.evidence); experts never names them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("experts")
