"""The real-time layer as a Django app: it owns one table, the embedded mode's outbox."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    label = "realtime"
    verbose_name = _("Real-time")
