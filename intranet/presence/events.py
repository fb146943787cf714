"""The presence event (docs/realtime.md, `presence`), published through realtime.publish."""

from realtime import publish


def presence_changed(agent_id: int, state: str) -> bool:
    """The agent's presence changed (online, away, offline): sockets watching them."""
    event = {"type": "presence", "agent": int(agent_id), "state": state}
    return publish.publish_to_watchers(agent_id, event)
