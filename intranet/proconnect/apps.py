from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProConnectConfig(AppConfig):
    name = "intranet.proconnect"
    label = "proconnect"
    verbose_name = _("ProConnect")
