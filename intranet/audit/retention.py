"""The audit trail's retention (intranet.core.retention): TRANSVERSE_RETENTION_AUDIT_DAYS,
12 months by default (the CNIL's guidance for logs is 6 to 12 months)."""

from django.utils.translation import gettext_lazy as _

from intranet.audit.services import audit_entries_expired
from intranet.core.retention import RetentionRule, retention_register

retention_register(
    RetentionRule(
        name="audit",
        label=_("Audit trail entries"),
        setting="TRANSVERSE_RETENTION_AUDIT_DAYS",
        expired=audit_entries_expired,
    )
)
