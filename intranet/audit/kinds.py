"""The kinds of events in the audit trail, with their names in the admin.

A kind is any `app.event` string; those listed here are shown by name in the admin's
filter, and the others by their code. An app that records a new kind adds it here.
"""

from django.utils.translation import gettext_lazy as _

SIGN_IN = "accounts.sign_in"
SIGN_IN_FAILED = "accounts.sign_in_failed"
SIGN_OUT = "accounts.sign_out"
LOCKED_OUT = "accounts.locked_out"
PASSWORD_RESET_REQUESTED = "accounts.password_reset_requested"  # noqa: S105 - an event's name
PASSWORD_RESET = "accounts.password_reset"  # noqa: S105 - an event's name
PASSWORD_CHANGED = "accounts.password_changed"  # noqa: S105 - an event's name
AGENT_DEACTIVATED = "accounts.deactivated"
AGENT_REACTIVATED = "accounts.reactivated"
OTP_ENROLLED = "accounts.otp_enrolled"
OTP_FAILED = "accounts.otp_failed"
OTP_RECOVERY_USED = "accounts.otp_recovery_used"
ROLE_CHANGED = "accounts.role_changed"
MEMBERSHIP_CHANGED = "groups.membership_changed"
MODERATION_DECIDED = "moderation.decided"
DATA_EXPORTED = "rgpd.exported"
DATA_ERASED = "rgpd.erased"
AGENT_ANONYMISED = "rgpd.anonymised"
DIRECTORY_SYNCED = "directory.synced"
RETENTION_APPLIED = "core.retention_applied"
MODEL_CHANGED = "audit.model_changed"

KIND_LABELS = {
    SIGN_IN: _("sign-in"),
    SIGN_IN_FAILED: _("failed sign-in"),
    SIGN_OUT: _("sign-out"),
    LOCKED_OUT: _("sign-in lock-out"),
    PASSWORD_RESET_REQUESTED: _("password reset requested"),
    PASSWORD_RESET: _("password reset"),
    PASSWORD_CHANGED: _("password changed"),
    AGENT_DEACTIVATED: _("agent deactivated"),
    AGENT_REACTIVATED: _("agent reactivated"),
    OTP_ENROLLED: _("second factor enrolled"),
    OTP_FAILED: _("second factor refused"),
    OTP_RECOVERY_USED: _("recovery code used"),
    ROLE_CHANGED: _("roles and permissions changed"),
    MEMBERSHIP_CHANGED: _("group membership changed"),
    MODERATION_DECIDED: _("moderation decision"),
    DATA_EXPORTED: _("personal data exported"),
    DATA_ERASED: _("personal data erased"),
    AGENT_ANONYMISED: _("agent anonymised"),
    DIRECTORY_SYNCED: _("directory synchronised"),
    RETENTION_APPLIED: _("retention applied"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
