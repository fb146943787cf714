"""Skills: the shared taxonomy, agents' claims on it and colleagues' endorsements."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillsConfig(AppConfig):
    name = "intranet.skills"
    label = "skills"
    verbose_name = _("Skills")
