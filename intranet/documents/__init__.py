"""Document libraries for departments and groups."""
