"""Chat's real-time events (docs/realtime.md, *Events*), sent through realtime.publish.

The services call these after commit (typing, not stored, at once); each event to a
conversation carries its audience, the agents allowed to read it.
"""

from realtime import publish


def message_changed(kind: str, conversation_id: int, payload: dict, *, audience) -> bool:
    """message.created or message.updated, with the message as every reader sees it."""
    event = {"type": kind, "message": payload}
    return publish.publish_to_conversation(conversation_id, event, audience=audience)


def conversation_read(agent_id: int, conversation_id: int, seq: int, *, audience=None) -> bool:
    """The agent read up to seq: their other tabs, and with an audience (direct and
    named conversations: "vu par") the conversation's readers too."""
    event = {"type": "conversation.read", "conversation": conversation_id, "agent": agent_id}
    event["seq"] = seq
    sent = publish.publish_to_agent(agent_id, event)
    if audience is not None:
        sent = publish.publish_to_conversation(conversation_id, event, audience=audience) and sent
    return sent


def typing(conversation_id: int, agent: dict, *, audience) -> bool:
    """agent (its frame fragment) is typing in the conversation."""
    event = {"type": "typing", "conversation": conversation_id, "agent": agent}
    return publish.publish_to_conversation(conversation_id, event, audience=audience)


def group_room_created(group_id: int) -> bool:
    """A group's room now exists: its members' sockets subscribe to it."""
    return publish.group_subscriptions_refresh(group_id)


def subscriptions_changed(agent_id: int) -> bool:
    """The agent joined or left a conversation: their sockets re-read their subscriptions."""
    return publish.subscriptions_refresh(agent_id)
