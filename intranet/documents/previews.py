"""What the document page shows of a version: which preview, and its bytes.

Images are decoded and re-encoded as the site does for photos (intranet.core.images: a
fresh JPEG, no metadata); PDFs go to the browser's own viewer in a sandboxed frame; text
and Markdown are shown through the site's one renderer; office files as the text the
background extraction found. Nothing else is previewed (download only).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.safestring import SafeString

from intranet.core.images import check_image, fitted_jpeg
from intranet.core.markdown import render_markdown
from intranet.documents import serving
from intranet.documents.models import DocumentVersion, documents_storage

TEXT_PREVIEW_BYTES = 512 * 1024
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MARKDOWN_TYPES = {"text/markdown", "text/x-markdown"}
TEXT_TYPES = {"text/plain", "text/csv"}
OFFICE_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
MAX_IMAGE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Preview:
    kind: str  # image, pdf, text, markdown, office
    html: SafeString | str = ""
    text: str = ""
    truncated: bool = False
    extraction: str = ""


def preview_kind(mime: str) -> str | None:
    if mime in IMAGE_TYPES:
        return "image"
    if mime == "application/pdf":
        return "pdf"
    if mime in MARKDOWN_TYPES:
        return "markdown"
    if mime in TEXT_TYPES:
        return "text"
    if mime in OFFICE_TYPES:
        return "office"
    return None


def _head_text(version: DocumentVersion) -> tuple[str, bool]:
    with documents_storage().open(version.blob.file.name, "rb") as file:
        data = file.read(TEXT_PREVIEW_BYTES + 1)
    truncated = len(data) > TEXT_PREVIEW_BYTES
    return data[:TEXT_PREVIEW_BYTES].decode("utf-8", errors="replace"), truncated


def preview_for(version: DocumentVersion) -> Preview | None:
    """The preview of a ready version (None: download only)."""
    kind = preview_kind(version.mime)
    if kind is None or version.state != DocumentVersion.State.READY:
        return None
    if kind in ("text", "markdown"):
        text, truncated = _head_text(version)
        html = render_markdown(text) if kind == "markdown" else ""
        return Preview(kind, html=html, text=text, truncated=truncated)
    if kind == "office":
        return Preview(kind, text=version.extracted_text, extraction=version.extraction)
    return Preview(kind)


def preview_response(document, version: DocumentVersion, *, name: str):
    kind = preview_kind(version.mime)
    if kind == "pdf":
        return serving.version_response(version, name=name, inline=True, framed_pdf=True)
    if kind != "image" or version.size > MAX_IMAGE_BYTES:
        raise Http404
    with documents_storage().open(version.blob.file.name, "rb") as file:
        file.size = version.size
        try:
            check_image(file, max_bytes=MAX_IMAGE_BYTES)
            jpeg = fitted_jpeg(file, longest_side=1600, folder="preview")
        except (ValidationError, OSError):
            raise Http404 from None
    return serving.bytes_response(jpeg.read(), mime="image/jpeg")
