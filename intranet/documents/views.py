"""The library pages and the file responses (filled in by the next commits)."""
