"""Notifications' retention (intranet.core.retention): TRANSVERSE_RETENTION_NOTIFICATIONS_DAYS."""

from django.utils.translation import gettext_lazy as _

from intranet.core.retention import RetentionRule, retention_register
from intranet.notifications.models import Notification

retention_register(
    RetentionRule(
        name="notifications",
        label=_("Notifications"),
        setting="TRANSVERSE_RETENTION_NOTIFICATIONS_DAYS",
        expired=lambda before: Notification.objects.filter(created_at__lt=before),
    )
)
