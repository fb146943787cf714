"""Presence: who is online, away or offline, from the rows of their open sockets."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresenceConfig(AppConfig):
    name = "intranet.presence"
    label = "presence"
    verbose_name = _("Presence")

    def ready(self):
        # Signing out closes that session's sockets: contrib.auth is a library we do not
        # control, so its signal is the place to hook in.
        from django.contrib.auth.signals import user_logged_out

        from realtime.publish import session_disconnect_on_logout

        user_logged_out.connect(session_disconnect_on_logout, dispatch_uid="chat-logout")
