"""Documents as search documents: name, description, folder path, topics, group and the
extracted text of the current ready version.

Tokens (see intranet.search.registry): "g:<group id>" for a document every reader of its
group may see (the groups app says who holds it: members, everyone for an open group);
a document restricted by itself or by a folder above it carries "ga:<group id>" (held by
the group's animators) and "dr:<document id>" (held by the agents the access model lets
in by name). Only ready documents outside the trash are indexed, and every hit is
re-checked with documents.access.visible_documents before it is shown.

Services call `document_index_later(document)` after every change to a document (upload,
extraction finished, rename, move, description, topics, restriction, trash, restore) and
`folder_index_later(folder)` after a folder's change (its documents' path, restriction
and trash follow it): the queue row commits with the change, the indexer runs after.
"""

import re

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Left, Length
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from intranet.documents.access import animator_group_ids, visible_documents
from intranet.documents.cards import document_url
from intranet.documents.models import Document, Folder, Restriction
from intranet.search.analysis import highlight
from intranet.search.registry import Document as SearchDocument
from intranet.search.registry import DocumentType, register
from intranet.search.services import search_index_later, search_index_many_later

KIND = "document"
# Indexed text of one version: PostgreSQL's tsvector holds at most 1 MB, and the first
# pages of a long document are what people search for.
MAX_INDEXED_CHARS = 200_000
SNIPPET_WINDOW = 1200
PATH_SEPARATOR = " › "
MAX_RESTRICTED_TOKENS = 5000


def _restricted_above(outer_path: str):
    """EXISTS: a folder above the outer row (its path a prefix of outer_path) restricts."""
    return Exists(
        Folder.objects.filter(group_id=OuterRef("group_id"))
        .exclude(restriction=Restriction.GROUP)
        .annotate(prefix=Left(OuterRef(outer_path), Length("path")))
        .filter(path=F("prefix"))
    )


def _trashed_above_q():
    """Folders above the outer document (its folder's path starts with theirs) in the trash."""
    return (
        Folder.objects.filter(group_id=OuterRef("group_id"), deleted_at__isnull=False)
        .annotate(prefix=Left(OuterRef("folder__path"), Length("path")))
        .filter(path=F("prefix"))
    )


def searchable_documents():
    """Documents that belong in the index: ready, with a version, outside the trash."""
    return (
        Document.objects.filter(
            deleted_at__isnull=True,
            state=Document.State.READY,
            current_version__isnull=False,
        )
        .exclude(Exists(_trashed_above_q()))
        .annotate(restricted_above=_restricted_above("folder__path"))
    )


def is_restricted(document) -> bool:
    restricted_above = getattr(document, "restricted_above", False)
    return document.restriction != Restriction.GROUP or bool(restricted_above)


def document_tokens(document) -> tuple[str, ...]:
    if is_restricted(document):
        return (f"ga:{document.group_id}", f"dr:{document.pk}")
    return (f"g:{document.group_id}",)


def folder_names(document) -> list[str]:
    """The names of the folders from the library's root down to the document's folder."""
    if not document.folder_id:
        return []
    ids = document.folder.ancestor_ids
    names = dict(Folder.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [names[pk] for pk in ids if pk in names]


def folder_path(document) -> str:
    """ "Group › Folder › Sub-folder": where the document lives."""
    return PATH_SEPARATOR.join([document.group.name, *folder_names(document)])


def searchable_name(name: str) -> str:
    """A file name as words: PostgreSQL's parser reads "budget_2027.ods" as one file token,
    which "budget" would not find; every engine then finds it by each of its words."""
    return re.sub(r"[._\-~+]+", " ", name).strip()


def _extracted_text(document) -> str:
    version = document.current_version
    text = (version.extracted_text if version else "") or ""
    return text[:MAX_INDEXED_CHARS]


@register
class DocumentDocuments(DocumentType):
    kind = KIND
    label = _("Documents")
    model = Document

    def indexable(self):
        return (
            searchable_documents()
            .select_related("group", "folder", "current_version")
            .prefetch_related("topics")
        )

    def document(self, document) -> SearchDocument:
        topics = " ".join(f"#{topic.label}" for topic in document.topics.all())
        version = document.current_version
        body = "\n".join(
            part
            for part in (
                document.description,
                folder_path(document),
                topics,
                searchable_name(version.filename) if version else "",
                _extracted_text(document),
            )
            if part
        )
        return SearchDocument(
            kind=self.kind,
            pk=document.pk,
            title=searchable_name(document.name),
            body=body,
            acl=document_tokens(document),
            author_id=document.created_by_id,
            group_id=document.group_id,
            department_id=document.group.department_id,
            created_at=document.created_at,
        )

    def visible(self, actor):
        return (
            visible_documents(actor)
            .filter(state=Document.State.READY, current_version__isnull=False)
            .select_related("group", "folder", "current_version", "created_by")
        )

    def actor_tokens(self, actor) -> set[str]:
        """ga: for the groups actor animates; dr: for the restricted documents the access
        model lets actor see by name (few: named agents are chosen one by one)."""
        animated = animator_group_ids(actor)
        tokens = {f"ga:{pk}" for pk in animated}
        named = (
            visible_documents(actor)
            .exclude(group_id__in=animated)
            .filter(~Q(restriction=Restriction.GROUP) | _restricted_above("folder__path"))
            .values_list("pk", flat=True)
        )
        tokens.update(f"dr:{pk}" for pk in named[:MAX_RESTRICTED_TOKENS])
        return tokens

    def url(self, document):
        return document_url(document.pk)

    def result_title(self, document) -> str:
        return document.name

    def result_text(self, document) -> str:
        return "\n".join(filter(None, [document.description, _extracted_text(document)]))

    def result_meta(self, document) -> str:
        return folder_path(document)

    def result_snippet(self, document, stems, prefixes) -> SafeString:
        """A passage around the first match: only a window of a long text is analysed."""
        text = self.result_text(document)
        return highlight(_window(text, stems, prefixes), stems, prefixes)


_ACCENTS = {
    "a": "aàâäáã",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïí",
    "o": "oôöóõ",
    "u": "uùûüú",
    "y": "yÿ",
}


def _loose(term: str) -> str:
    """A pattern matching term whatever its accents ("reunion" finds "réunion")."""
    return "".join(f"[{_ACCENTS[ch]}]" if ch in _ACCENTS else re.escape(ch) for ch in term.lower())


def _window(text: str, stems, prefixes) -> str:
    """The part of text around the first word that starts like a query term.

    Stems of French words are, nearly always, the start of the words they come from:
    finding them as word starts is a cheap first pass; highlight() then checks each word
    with the analyser. With no such word, the start of the text.
    """
    if len(text) <= SNIPPET_WINDOW:
        return text
    terms = sorted({t for t in (*stems, *prefixes) if t}, key=len, reverse=True)
    if terms:
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(_loose(t) for t in terms) + ")", re.I)
        match = pattern.search(text)
        if match:
            start = max(0, match.start() - SNIPPET_WINDOW // 4)
            return text[start : start + SNIPPET_WINDOW]
    return text[:SNIPPET_WINDOW]


def document_index_later(document) -> None:
    """Queue document for (re)indexing with the caller's transaction (any change)."""
    search_index_later(document)


def folder_index_later(folder) -> int:
    """Queue every document under folder (renamed, moved, restricted, trashed, restored)."""
    pks = Document.objects.filter(
        Q(folder_id=folder.pk) | Q(folder__path__startswith=folder.path or f"/{folder.pk}/"),
        group_id=folder.group_id,
    ).values_list("pk", flat=True)
    return search_index_many_later(KIND, list(pks))
