"""What chat notifications may point to: a conversation, while the recipient may read it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from intranet.chat.access import visible_conversations
from intranet.chat.models import Conversation
from intranet.notifications.targets import Target, target_register


def conversation_label(conversation: Conversation) -> str:
    if conversation.kind == Conversation.Kind.GROUP:
        return conversation.group.name
    if conversation.kind == Conversation.Kind.DIRECT:
        return _("direct messages")
    return conversation.name


target_register(
    Target(
        model=Conversation,
        visible=visible_conversations,
        url=lambda conversation: reverse("chat:conversation-detail", args=[conversation.pk]),
        label=conversation_label,
        related=("group",),
    )
)
