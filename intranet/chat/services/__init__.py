"""Every write in chat: conversations, messages, reactions, read positions, typing.

Each public service authorises the actor itself (through chat.access), so a view, the
WebSocket consumer or a command cannot skip the check. Callers import this package;
the modules hold the code by subject.
"""

from intranet.chat.services.conversations import (
    conversation_direct_open,
    conversation_leave,
    conversation_named_create,
    conversation_participants_add,
    group_room,
    group_rooms_ensure,
)
from intranet.chat.services.messages import (
    conversation_mark_read,
    message_delete,
    message_edit,
    message_send,
    reaction_toggle,
    typing_announce,
)

__all__ = [
    "conversation_direct_open",
    "conversation_leave",
    "conversation_mark_read",
    "conversation_named_create",
    "conversation_participants_add",
    "group_room",
    "group_rooms_ensure",
    "message_delete",
    "message_edit",
    "message_send",
    "reaction_toggle",
    "typing_announce",
]
