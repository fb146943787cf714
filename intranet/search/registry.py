"""The registry of indexed kinds: each indexed app declares its documents in its search.py.

A `DocumentType` says, for one model, which objects are indexed, what text and access
tokens their document carries, who may see them now (the access model, for the re-check),
where a hit links to, and which other documents follow it (a post's comments).

Access tokens: a document lists the tokens that grant reading it ("all", "g:12", "d:4",
"a:7"); `actor_tokens` says which tokens an agent holds, read from the database at query
time, so leaving a group or a group turning secret takes effect at once.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Model, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from intranet.core.markdown import markdown_text
from intranet.search.analysis import highlight

TOKEN_EVERYONE = "all"  # noqa: S105 (an access token name, not a secret)


def markdown_excerpt(source: str, length: int = 80) -> str:
    """The start of Markdown source as plain text, cut at a word: a result's title when the
    object has none of its own (a post, a message). Markup goes before cutting, so a cut
    never leaves half of it ("## Formation **…")."""
    text = markdown_text(source)
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class Document:
    """What an engine stores for one object. Text is never shown from the index."""

    kind: str
    pk: int
    title: str
    body: str
    acl: tuple[str, ...]
    author_id: int | None = None
    group_id: int | None = None
    department_id: int | None = None
    created_at: datetime | None = None
    digest: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"

    def with_digest(self) -> "Document":
        """A fingerprint of everything indexed, so search_check can spot stale entries."""
        raw = "\x1f".join(
            str(part)
            for part in (
                self.title,
                self.body,
                " ".join(sorted(self.acl)),
                self.author_id,
                self.group_id,
                self.department_id,
                self.created_at.isoformat() if self.created_at else "",
            )
        )
        digest = hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()
        return Document(**{**self.__dict__, "digest": digest})


class DocumentType:
    """Override in an app's search.py and decorate with @register."""

    kind: str = ""
    label = ""  # plural, for the facet ("Agents")
    model: type[Model]
    # Staff administer the site and read every document of most kinds; a kind they may
    # not read wholesale (private conversations) sets this False, and staff then hold
    # only their own tokens for it, so its hits, totals and facets follow the access model.
    staff_reads_all: bool = True
    # result_text is Markdown source (posts, comments, messages, questions, answers): the
    # results page shows its plain text (intranet.core.markdown.markdown_text).
    markdown: bool = False

    def indexable(self) -> QuerySet:
        """Every object that should be in the index, with what document() reads."""
        raise NotImplementedError

    def document(self, obj) -> Document:
        raise NotImplementedError

    def visible(self, actor) -> QuerySet:
        """Objects actor may see now: the access model's visible_* (the re-check)."""
        raise NotImplementedError

    def actor_tokens(self, actor) -> set[str]:
        """Tokens actor holds for this kind's documents (called for active agents only)."""
        return set()

    def url_name(self, obj) -> tuple[str, list] | None:
        return None

    def url(self, obj) -> str | None:
        target = self.url_name(obj)
        if target is None:
            return None
        try:
            return reverse(target[0], args=target[1])
        except NoReverseMatch:  # the app's pages are not there yet
            return None

    def result_title(self, obj) -> str:
        """Plain text naming the result: never Markdown, never an index field."""
        return str(obj)

    def result_text(self, obj) -> str:
        """The text snippets are cut from (read from the database, after the re-check):
        what a reader of the object sees, never index internals (synonyms, logins)."""
        doc = self.document(obj)
        return doc.body

    def result_meta(self, obj) -> str:
        return ""

    def result_snippet(self, obj, stems, prefixes) -> SafeString:
        """The highlighted passage of a hit, as plain text (a kind with long texts narrows
        it first)."""
        text = self.result_text(obj)
        if self.markdown:
            text = markdown_text(text)
        return highlight(text, stems, prefixes)

    def dependents(self, obj) -> list[tuple[str, int]]:
        """Other documents to re-index with this one (their access follows it)."""
        return []


_types: dict[str, DocumentType] = {}


def register(cls: type[DocumentType]) -> type[DocumentType]:
    instance = cls()
    if not instance.kind or ":" in instance.kind:
        raise ValueError(f"{cls.__name__} needs a kind without ':'")
    _types[instance.kind] = instance
    return cls


def document_types() -> dict[str, DocumentType]:
    return dict(_types)


def document_type(kind: str) -> DocumentType | None:
    return _types.get(kind)


def document_type_for(obj) -> DocumentType:
    for doc_type in _types.values():
        if isinstance(obj, doc_type.model):
            return doc_type
    raise LookupError(f"{type(obj).__name__} is not a registered search document")


def open_kinds(actor) -> tuple[str, ...]:
    """Kinds whose every document actor may read whatever its tokens (staff only)."""
    if not actor.is_staff:
        return ()
    return tuple(sorted(kind for kind, t in _types.items() if t.staff_reads_all))


def actor_tokens(actor) -> frozenset[str] | None:
    """The tokens actor holds; None means every document (staff, when they read all kinds).

    For staff, the tokens of kinds they do not read wholesale; `open_kinds` gives the rest.
    """
    kinds = open_kinds(actor)
    if actor.is_staff and len(kinds) == len(_types):
        return None
    tokens = {TOKEN_EVERYONE}
    for kind, doc_type in _types.items():
        if kind not in kinds:
            tokens |= doc_type.actor_tokens(actor)
    return frozenset(tokens)
