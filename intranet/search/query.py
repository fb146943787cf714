"""Parsing what a person types into a structured query, forgivingly.

Syntax: several words = all of them; "a quoted phrase"; prefix*; -exclusion; field filters
auteur:, groupe:, type: (values may be quoted). Nothing here raises: an unbalanced quote
closes at the end, lone operators are ignored, over-long input is cut, and `notes` says
what was adjusted so the page can tell the person.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from intranet.core.text import fold
from intranet.search.analysis import STOP_WORDS, analyze

MAX_QUERY_CHARS = 300
MAX_CLAUSES = 10
MIN_PREFIX = 2
FIELDS = {
    "auteur": "author",
    "author": "author",
    "par": "author",
    "groupe": "group",
    "group": "group",
    "type": "kind",
    "kind": "kind",
}
QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "’": "'"})
TOKEN = re.compile(r'(?P<neg>-)?(?:(?P<field>\w+):)?(?:"(?P<quoted>[^"]*)("|$)|(?P<bare>[^\s"]+))')
WORD_CHARS = re.compile(r"[^\w'*-]+", re.UNICODE)


@dataclass
class Clause:
    text: str
    phrase: bool = False
    prefix: bool = False
    negated: bool = False

    def stems(self) -> list[str]:
        return analyze(self.text)


@dataclass
class ParsedQuery:
    raw: str
    clauses: list[Clause] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    notes: list = field(default_factory=list)

    @property
    def positive(self) -> list[Clause]:
        return [c for c in self.clauses if not c.negated]

    @property
    def is_empty(self) -> bool:
        """Nothing to look for: no positive word and no filter."""
        return not self.positive and not self.filters

    def highlight_terms(self) -> tuple[frozenset[str], tuple[str, ...]]:
        stems, prefixes = set(), []
        for clause in self.positive:
            if clause.prefix:
                prefixes.append(fold(clause.text))
            else:
                stems.update(clause.stems())
        return frozenset(stems), tuple(prefixes)

    def with_clause_text(self, index: int, text: str) -> str:
        """The query string with one clause's text replaced (for "did you mean")."""
        parts = []
        for i, clause in enumerate(self.clauses):
            value = text if i == index else clause.text
            value = f'"{value}"' if clause.phrase else value + ("*" if clause.prefix else "")
            parts.append(("-" if clause.negated else "") + value)
        for name, values in self.filters.items():
            parts.extend(f'{name}:"{v}"' if " " in v else f"{name}:{v}" for v in values)
        return " ".join(parts)


def _clean_word(word: str) -> str:
    return WORD_CHARS.sub(" ", word).strip(" -'")


def parse(raw: str) -> ParsedQuery:
    text = (raw or "").translate(QUOTES)
    query = ParsedQuery(raw=text[:MAX_QUERY_CHARS])
    if len(text) > MAX_QUERY_CHARS:
        query.notes.append(_("Your search was too long: only its beginning was used."))
        text = text[:MAX_QUERY_CHARS]
    if text.count('"') % 2:
        query.notes.append(_("A quotation mark was not closed: the phrase runs to the end."))
    for match in TOKEN.finditer(text):
        if len(query.clauses) >= MAX_CLAUSES:
            query.notes.append(_("Only the first %(n)d words were used.") % {"n": MAX_CLAUSES})
            break
        _add_token(query, match)
    return query


def _add_token(query: ParsedQuery, match: re.Match) -> None:
    negated = bool(match.group("neg"))
    name = FIELDS.get(fold(match.group("field") or ""))
    quoted = match.group("quoted")
    value = quoted if quoted is not None else match.group("bare") or ""
    if match.group("field") and name is None:
        value = f"{match.group('field')} {value}"  # "note:bene" is just words
    if name and not negated:
        value = " ".join(value.split())[:120]
        if value:
            query.filters.setdefault(_field_name(name), []).append(value)
        return
    if quoted is not None:
        words = _clean_word(value.replace("*", " "))
        if words:
            query.clauses.append(Clause(" ".join(words.split()), phrase=True, negated=negated))
        return
    for word in _clean_word(value).split():
        prefix = word.endswith("*")
        word = word.strip("*-'")
        if "*" in word or not word or (prefix and len(fold(word)) < MIN_PREFIX):
            continue  # a lone operator or a wildcard in the middle: ignored
        if not prefix and not analyze(word) and fold(word) in STOP_WORDS:
            continue
        query.clauses.append(Clause(word, prefix=prefix, negated=negated))


def _field_name(name: str) -> str:
    return {"author": "auteur", "group": "groupe", "kind": "type"}[name]
