"""French-first text analysis shared by the engines, the query parser and the snippets.

Words are lower-cased, stripped of accents, French stop words (elided articles included:
"l'agent" gives "agent") are dropped, then the Snowball French stemmer runs. Accents go
before stemming so that "reunions" and "réunions" reach the same stem. English words pass
through the same chain and stay findable (the query is analysed the same way).
"""

import functools
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from whoosh.analysis import (
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from intranet.core.text import fold

# Elided forms the tokenizer leaves once it splits "jusqu'à" or "lorsqu'il".
# Frequent words Whoosh's French list lacks.
EXTRA_STOP_WORDS = {"les", "cet", "cette", "leurs", "dont", "ni", "si"}
ELISIONS = {"c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"}
STOP_WORDS = frozenset(
    {fold(w) for w in stopwords_for_language("fr")} | ELISIONS | EXTRA_STOP_WORDS
)
WORD = re.compile(r"\w+", re.UNICODE)


@functools.cache
def french_analyzer():
    """The Whoosh analyzer used at indexing and query time."""
    return (
        RegexTokenizer(WORD)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_WORDS, minsize=1)
        | StemFilter(lang="fr", cachesize=50_000)
    )


def analyze(text: str) -> list[str]:
    return [token.text for token in french_analyzer()(text)]


def words(text: str) -> list[str]:
    """Folded words of text, stop words included (for prefixes and spelling)."""
    return WORD.findall(fold(text))


def _matches(word: str, stems: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    folded = fold(word)
    if not folded or folded in STOP_WORDS:
        return False
    if prefixes and folded.startswith(prefixes):
        return True
    stemmed = analyze(folded)
    return bool(stemmed) and stemmed[0] in stems


def highlight(
    text: str, stems: frozenset[str], prefixes: tuple[str, ...] = (), *, length: int = 240
) -> SafeString:
    """A window of text around the first match, escaped, with matches in <mark>.

    Everything is escaped first; only the <mark> tags this function adds are markup.
    """
    text = " ".join((text or "").split())
    spans = [m.span() for m in WORD.finditer(text) if _matches(m.group(), stems, prefixes)]
    start = 0
    if spans and spans[0][0] > length // 3:
        start = text.rfind(" ", 0, spans[0][0] - length // 4) + 1
    end = min(len(text), start + length)
    if end < len(text):
        end = max(text.rfind(" ", start, end), start + length // 2)
    parts, cursor = [], start
    for begin, finish in spans:
        if begin < start or finish > end:
            continue
        parts.append(escape(text[cursor:begin]))
        parts.append(f"<mark>{escape(text[begin:finish])}</mark>")
        cursor = finish
    parts.append(escape(text[cursor:end]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308 (every part escaped)
