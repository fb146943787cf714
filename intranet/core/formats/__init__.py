"""Date and number formats of our own per language (settings.FORMAT_MODULE_PATH)."""
