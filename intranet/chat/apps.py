"""Chat: group rooms, direct messages and small named conversations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "intranet.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self):
        # Signing out closes that session's sockets: contrib.auth is a library we do not
        # control, so its signal is the place to hook in.
        from django.contrib.auth.signals import user_logged_out

        from realtime.publish import session_disconnect_on_logout

        user_logged_out.connect(session_disconnect_on_logout, dispatch_uid="chat-logout")

        # Cache invalidation: the process's set of groups known to have a room.
        from django.db.models.signals import post_delete

        from intranet.chat.models import Conversation
        from intranet.chat.services.conversations import forget_group_room

        post_delete.connect(forget_group_room, sender=Conversation, dispatch_uid="chat-room")
