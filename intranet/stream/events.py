"""The stream's real-time events: ids only, published after commit through
realtime.publish; pages re-fetch what they show through their access-checked views."""

from realtime import publish


def _to_readers(event: dict, group_id: int | None, visibility: str) -> bool:
    if group_id is not None:
        return publish.publish_to_group(group_id, event)
    if visibility == "organisation":
        return publish.publish_to_organisation(event)
    return False  # department posts: their readers see them on the next load


def post_published(post_id: int, group_id: int | None, visibility: str) -> bool:
    """A post was published: feeds that show it offer "N new posts"."""
    event = {"type": "post.created", "post": int(post_id), "group": group_id}
    return _to_readers(event, group_id, visibility)


def reactions_changed(post_id: int, group_id: int | None, visibility: str) -> bool:
    """Reaction counts of a post changed."""
    event = {"type": "reactions.changed", "post": int(post_id), "group": group_id}
    return _to_readers(event, group_id, visibility)
