"""Document cards: a link to a document in a post, a comment, an answer or a chat message
shows the document's name, type, size and preview to those who may see it, and nothing
more than the link itself to anyone else.

Links are read from the rendered HTML of a text (its href attributes: only real links,
never a path quoted in a code block). Cards are resolved per viewer, for a whole page at
once (`cards_attach`): one query for every text of the page, through the access model
(documents.selectors.documents_by_ids, i.e. visible_documents). A document the viewer may
not see gives no card: its name never reaches them.
"""

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from intranet.documents.selectors import documents_by_ids

MAX_CARDS_PER_TEXT = 5
HREF = re.compile(r"""href=["']([^"'<>]{1,500})["']""")
SENTINEL = 987654321


@dataclass(frozen=True)
class DocumentCard:
    """What a card shows (everything the viewer may see of one document)."""

    pk: int
    name: str
    type_label: str
    size: int
    url: str
    preview_url: str  # "" unless an image the browser can show
    updated_at: object = None

    @property
    def digest(self) -> tuple:
        return (self.pk, self.name, self.type_label, self.size, self.url, self.preview_url)


def _reverse(name: str, pk: int) -> str | None:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


@cache
def _detail_pattern() -> re.Pattern:
    """The path of a document's page, with its id as the group (from the URLconf)."""
    path = _reverse("documents:document-detail", SENTINEL)
    if path is None:
        return re.compile(r"^/documents/(\d{1,18})/?$")
    before, after = path.split(str(SENTINEL), 1)
    return re.compile("^" + re.escape(before) + r"(\d{1,18})" + re.escape(after) + "?$")


def document_url(pk: int) -> str:
    return _reverse("documents:document-detail", pk) or f"/documents/{pk}/"


def preview_url(pk: int) -> str:
    for name in ("documents:document-preview", "documents:document-inline"):
        url = _reverse(name, pk)
        if url:
            return url
    return ""


def _ours(netloc: str) -> bool:
    host = netloc.rsplit("@", 1)[-1]
    return validate_host(host.split(":", 1)[0], settings.ALLOWED_HOSTS)


def document_ids(html: str) -> list[int]:
    """Ids of the documents html links to, in order, each once, at most a few."""
    ids: list[int] = []
    pattern = _detail_pattern()
    for href in HREF.findall(html or ""):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.scheme not in ("", "http", "https") or (parts.netloc and not _ours(parts.netloc)):
            continue
        match = pattern.match(parts.path)
        if match:
            pk = int(match.group(1))
            if 0 < pk < 2**63 and pk not in ids:
                ids.append(pk)
        if len(ids) >= MAX_CARDS_PER_TEXT:
            break
    return ids


def type_label(filename: str, mime: str) -> str:
    """ "PDF", "ODT", "PNG"...: the extension, or the MIME subtype."""
    if "." in filename:
        extension = filename.rsplit(".", 1)[1]
        if 0 < len(extension) <= 5 and extension.isalnum():
            return extension.upper()
    return (mime.split("/")[-1] or "?").upper()[:10]


def _card(document) -> DocumentCard:
    version = document.current_version
    mime = version.mime if version else ""
    image = mime in {"image/png", "image/jpeg", "image/gif", "image/webp"}
    return DocumentCard(
        pk=document.pk,
        name=document.name,
        type_label=type_label(version.filename if version else document.name, mime),
        size=version.size if version else 0,
        url=document_url(document.pk),
        preview_url=preview_url(document.pk) if image else "",
        updated_at=document.updated_at,
    )


def document_cards(actor, ids) -> dict[int, DocumentCard]:
    """The cards among ids that actor may see (one query; none for an empty list)."""
    ids = list(ids)
    if not ids:
        return {}
    return {pk: _card(document) for pk, document in documents_by_ids(actor, ids).items()}


def cards_attach(actor, items, *, html=lambda item: item.body_html, attr="document_cards"):
    """Set item.<attr> to the cards of the documents item's text links to, for actor.

    One query for all items (a feed page, a post's comments, a question's answers).
    """
    wanted = {id(item): document_ids(html(item)) for item in items}
    found = document_cards(actor, {pk for ids in wanted.values() for pk in ids})
    for item in items:
        setattr(item, attr, [found[pk] for pk in wanted[id(item)] if pk in found])
    return items


def cards_html(cards) -> str:
    """The cards' markup (the chat's client fetches it; pages include the template)."""
    return render_to_string("documents/_cards.html", {"cards": cards}) if cards else ""
