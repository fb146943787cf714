"""How stored document files reach the browser, after a view has authorised the agent.

Embedded default: streamed from the storage with FileResponse in 1 MiB blocks (never the
whole file in memory). With TRANSVERSE_DOCUMENT_X_ACCEL set ("/_documents/"), the response
is empty and names the file to nginx's internal location (X-Accel-Redirect), which sends
it; nginx keeps the headers set here. Every file response: attachment unless the type is
on a short inline allow-list, the name as RFC 6266/5987 filename*, nosniff, and a
sandboxing Content-Security-Policy (scripts in a served file never run as the site).
"""

import asyncio
from urllib.parse import quote

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from intranet.documents.models import DocumentVersion, documents_storage

# Types a browser shows without running anything of the file's own.
INLINE_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
}
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# The PDF preview is shown in a frame of the site's own page (and Chromium's viewer is
# refused in a CSP-sandboxed document): no script of the file's own can run in a PDF
# served as application/pdf with nosniff, and the frame itself is sandboxed.
FRAMED_PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"
BLOCK_SIZE = 1024 * 1024


def is_inline_type(mime: str) -> bool:
    return mime in INLINE_TYPES


def _safe_headers(response, *, framed_pdf: bool = False) -> None:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FRAMED_PDF_CSP if framed_pdf else FILE_CSP
    response["Cache-Control"] = "private, no-cache"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"


async def _blocks(name: str):
    """The file as an async iterator: Django would read a sync one whole into a list under
    ASGI. Each block is read in a thread; the server's `send` waits while the client is
    slower than the disk (intranet.core.daphne_tuning for daphne), so memory stays flat."""
    file = await asyncio.to_thread(documents_storage().open, name, "rb")
    try:
        while block := await asyncio.to_thread(file.read, BLOCK_SIZE):
            yield block
    finally:
        await asyncio.to_thread(file.close)


def _streamed(request, version: DocumentVersion) -> HttpResponse:
    if isinstance(request, ASGIRequest):
        return StreamingHttpResponse(_blocks(version.blob.file.name))
    response = FileResponse(documents_storage().open(version.blob.file.name, "rb"))
    response.block_size = BLOCK_SIZE
    return response


def version_response(
    version: DocumentVersion,
    *,
    name: str,
    inline: bool = False,
    framed_pdf: bool = False,
    request=None,
) -> HttpResponse:
    """The file of version under name, for an agent a view has authorised."""
    mime = version.mime or "application/octet-stream"
    as_attachment = not (inline and is_inline_type(mime))
    disposition = content_disposition_header(as_attachment, name) or "attachment"
    prefix = getattr(settings, "TRANSVERSE_DOCUMENT_X_ACCEL", "")
    if prefix:
        response = HttpResponse(content_type=mime)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(version.blob.file.name)
        response["X-Accel-Buffering"] = "no"
    else:
        response = _streamed(request, version)
        response["Content-Type"] = mime
        response["Content-Length"] = str(version.size)
    response["Content-Disposition"] = disposition
    _safe_headers(response, framed_pdf=framed_pdf and mime == "application/pdf")
    if framed_pdf:
        response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def bytes_response(data: bytes, *, mime: str) -> HttpResponse:
    """A small derived file (an image preview re-encoded by the site), inline."""
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = "inline"
    _safe_headers(response)
    return response
