"""Groups per department and per theme, their members and roles."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "intranet.groups"
    label = "groups"
    verbose_name = _("Groups")

    def ready(self):
        from intranet.accounts.leavers import leaver_hook_register
        from intranet.groups.services import agents_groups_release

        leaver_hook_register(agents_groups_release)
