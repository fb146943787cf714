"""Chat: group rooms, direct messages and small named conversations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "intranet.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self):
        # Cache invalidation: the process's set of groups known to have a room.
        from django.db.models.signals import post_delete

        from intranet.chat.models import Conversation
        from intranet.chat.services.conversations import forget_group_room

        post_delete.connect(forget_group_room, sender=Conversation, dispatch_uid="chat-room")

        from intranet.chat.tasks import MISSED_JOB, next_missed_check
        from intranet.core.schedule import Periodic, periodic_register

        periodic_register(
            Periodic(MISSED_JOB, "intranet.chat.tasks.chat_missed_periodic", next_missed_check)
        )
