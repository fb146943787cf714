"""Chat messages as search documents, readable by the conversation's current readers only.

Token (see intranet.search.registry): "c:<conversation id>", held by the agents for whom
chat.access.visible_conversations lists the conversation at query time: the group's
members for a group room, the current participants otherwise. A former member or an
outsider holds no token, and every hit is re-checked through the same access model
(`visible`), so the index never decides who reads a message.
"""

from django.utils.translation import gettext_lazy as _

from intranet.chat.access import visible_conversations
from intranet.chat.models import Conversation, Message
from intranet.search.registry import Document, DocumentType, markdown_excerpt, register


def conversation_token(conversation_id: int) -> str:
    return f"c:{conversation_id}"


@register
class MessageDocuments(DocumentType):
    kind = "chat"
    staff_reads_all = False  # staff read only the conversations they belong to
    label = _("Chat messages")
    model = Message
    markdown = True

    def indexable(self):
        return Message.objects.filter(deleted_at__isnull=True).select_related("conversation")

    def document(self, message) -> Document:
        conversation = message.conversation
        return Document(
            kind=self.kind,
            pk=message.pk,
            title="",
            body=message.body,
            acl=(conversation_token(message.conversation_id),),
            author_id=message.sender_id,
            group_id=conversation.group_id
            if conversation.kind == Conversation.Kind.GROUP
            else None,
            created_at=message.created_at,
        )

    def visible(self, actor):
        return Message.objects.filter(
            conversation__in=visible_conversations(actor), deleted_at__isnull=True
        ).select_related("sender", "conversation__group")

    def actor_tokens(self, actor) -> set[str]:
        return {
            conversation_token(pk)
            for pk in visible_conversations(actor).values_list("pk", flat=True)
        }

    def url_name(self, message):
        return "chat:conversation-detail", [message.conversation_id]

    def result_title(self, message) -> str:
        return markdown_excerpt(message.body)

    def result_meta(self, message) -> str:
        conversation = message.conversation
        if conversation.kind == Conversation.Kind.GROUP:
            where = conversation.group.name
        elif conversation.kind == Conversation.Kind.NAMED:
            where = conversation.name
        else:
            where = _("direct messages")
        return f"{message.sender.display_name} · {where}"
