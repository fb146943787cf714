"""Every write in the stream (split by entity: posts, comments, reactions and follows)."""
