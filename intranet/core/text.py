"""Text shared by every app: folding for lookups, the rules of a written text's body, and
French elision in generated phrases."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
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


# French elision of "de" before a name or a noun that starts with a vowel sound: "de" +
# "Anne Martin" reads "d’Anne Martin", "de" + "Hélène" "d’Hélène", "de" + "Yves" "d’Yves",
# but "de Julien", "de Yann" (a y before a vowel is a consonant) and "de Hongrie" (an
# aspirated h, a short list: most names with an h elide).
_ELIDABLE = re.compile(
    r"\b([Dd])e (?=(?:[aeiouæœàâäéèêëîïôöùûüÿ]|y[^aeiouy\W]|h[aeiouyàâäéèêëîïôöùûüÿ])(\w*))",
    re.IGNORECASE,
)
ASPIRATED_H = frozenset(
    {
        "hache",
        "haie",
        "haine",
        "hall",
        "halle",
        "hamac",
        "hameau",
        "hanche",
        "handicap",
        "hangar",
        "hardi",
        "haricot",
        "hasard",
        "haut",
        "haute",
        "hauts",
        "hautes",
        "hauteur",
        "havre",
        "hennissement",
        "hérisson",
        "héros",
        "hêtre",
        "hibou",
        "hiérarchie",
        "hockey",
        "hollande",
        "homard",
        "hongrie",
        "honte",
        "hors",
        "hotte",
        "houx",
        "hublot",
        "huit",
        "hurlement",
        "hutte",
    }
)


def elide(text: str, language: str | None = None) -> str:
    """text with French elision of "de" before a vowel sound, when the language is French
    (the active one by default); other languages' text is returned unchanged.

    For generated phrases where a name follows "de": "Publication de %(name)s".
    """
    language = (language or get_language() or "").lower()
    if not text or language.split("-")[0] != "fr":
        return text

    def replace(match: re.Match) -> str:
        word = text[match.end() :].split(" ", 1)[0]
        if fold(word).rstrip(".,;:!?").split("-")[0] in ASPIRATED_H:
            return match.group(0)
        return f"{match.group(1)}’"

    return _ELIDABLE.sub(replace, text)
