"""Text shared by every app: folding for lookups, and the rules of a written text's body."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The longest text an agent may write in one post, comment, question or answer.
MAX_BODY = 20_000


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


def clean_body(body: str, *, empty_message: str | None) -> str:
    """body without NUL characters and surrounding blanks, within MAX_BODY.

    empty_message: the error for an empty body, or None when the body may be empty.
    """
    body = without_nul(body or "").strip()
    if empty_message is not None and not body:
        raise ValidationError(empty_message, code="empty")
    if len(body) > MAX_BODY:
        raise ValidationError(
            _("The text is too long: %(length)d characters, the limit is %(limit)d.")
            % {"length": len(body), "limit": MAX_BODY},
            code="too_long",
        )
    return body
