"""Agents' accounts: the user model, sign-in and sign-out."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "intranet.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from intranet.accounts.signals import (
            session_forget_on_logout,
            session_record_on_login,
            sign_in_failure_on_login_failed,
        )

        # contrib.auth's own signals: each agent's sessions are known, for leavers.
        user_logged_in.connect(session_record_on_login, dispatch_uid="accounts-session-record")
        user_logged_out.connect(session_forget_on_logout, dispatch_uid="accounts-session-forget")
        # Failed sign-ins in the log (accounts.audit), wherever authenticate() was called.
        user_login_failed.connect(
            sign_in_failure_on_login_failed, dispatch_uid="accounts-sign-in-failure-log"
        )
