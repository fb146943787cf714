"""People: profiles and the people directory (skills: intranet.skills)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "intranet.people"
    label = "people"
    verbose_name = _("People")
