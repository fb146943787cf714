"""The notifications' real-time event, published after commit through realtime.publish."""

from realtime import publish


def notifications_changed(agent_id: int) -> bool:
    """The agent's notifications changed: their sockets send them the new unread count."""
    return publish.counts_refresh(agent_id)
