"""The wiki: a group's pages written together, every version kept (a group tool)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WikiConfig(AppConfig):
    name = "intranet.wiki"
    label = "wiki"
    verbose_name = _("Wiki")
