"""The groups' real-time event, published after commit through realtime.publish."""

from realtime import publish


def membership_changed(agent_id: int, group_id: int | None = None) -> bool:
    """An agent joined or left a group: their sockets re-read what they subscribe to."""
    return publish.subscriptions_refresh(agent_id)
