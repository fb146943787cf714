"""Text folding shared by every lookup that must ignore accents and case."""

import unicodedata


def fold(value: str) -> str:
    """Lower-case, accent-free, single-spaced form of value: "Lefèvre " -> "lefevre"."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Ligatures that NFKD leaves alone in French names.
    stripped = stripped.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    return " ".join(stripped.casefold().split())


def without_nul(value):
    """value with NUL characters removed (PostgreSQL refuses them in text columns)."""
    return value.replace("\x00", "") if isinstance(value, str) else value
