"""Agents' accounts: the user model, sign-in and sign-out."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "intranet.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import m2m_changed, post_save, pre_save

        from intranet.accounts import signals

        # contrib.auth's own signals: each agent's sessions are known, for leavers.
        user_logged_in.connect(
            signals.session_record_on_login, dispatch_uid="accounts-session-record"
        )
        user_logged_out.connect(
            signals.session_forget_on_logout, dispatch_uid="accounts-session-forget"
        )
        # Failed sign-ins in the log (accounts.audit), wherever authenticate() was called.
        user_login_failed.connect(
            signals.sign_in_failure_on_login_failed, dispatch_uid="accounts-sign-in-failure-log"
        )
        # Saves we do not make (the admin's change form, a shell): an agent switched off
        # is signed out everywhere (accounts.signals says why this is a signal).
        # Every path that switches agents off records it in the audit trail.
        from intranet.accounts.leavers import leaver_hook_register

        leaver_hook_register(signals.deactivations_audited)
        # Roles and permissions given in the admin (its change form saves them itself).
        for through in (
            self.get_model("User").groups.through,
            self.get_model("User").user_permissions.through,
        ):
            m2m_changed.connect(
                signals.roles_changed_audited,
                sender=through,
                dispatch_uid=f"accounts-roles-{through.__name__}",
            )
        user = self.get_model("User")
        pre_save.connect(signals.deactivation_noted, sender=user, dispatch_uid="accounts-off-noted")
        post_save.connect(signals.deactivation_signs_out, sender=user, dispatch_uid="accounts-off")
