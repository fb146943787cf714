"""Learning paths of a group: ordered steps towards its pages, documents, sessions,
questions, polls or the administration's own sites; members' progress and cohorts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathsConfig(AppConfig):
    name = "intranet.paths"
    label = "paths"
    verbose_name = _("Learning paths")
