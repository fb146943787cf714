"""Receiving uploaded files: on disk as they arrive, hashed on the way, refused past the size
limit without keeping the rest of the body.

The page's script sends one file per request, so a Content-Length above the limit is
refused before a byte of the body is read (request_too_large). A plain form with several
files is read file by file: a file past the limit is dropped as soon as it crosses it
(its name is kept in `handler.too_large` for the message), and the others go on.

The temporary file is written beside the stored files (under the documents storage's
"documents/" folder, named like the storage's own temporaries), so that storing it is a
hard link, not a second full copy (intranet.core.storage); with a remote storage it goes
to the usual temporary directory. Bytes are taken in CHUNK_BYTES pieces: with Django's
64 KiB, the multipart parser's Python loop was most of an upload's time.
"""

import hashlib
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor

from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler

from intranet.core.storage import TEMPORARY_PREFIX
from intranet.documents.models import documents_storage

# Room for the multipart envelope and the form's other fields around one file.
ENVELOPE_BYTES = 64 * 1024
# 256 KiB: larger pieces fall out of the processor's cache (the parser copies each piece
# twice and hashes it): 2 MiB took 1.8-2.4 s for 200 MB where 128-512 KiB took 0.6-0.7 s.
CHUNK_BYTES = 256 * 1024
# sha256 releases the GIL: a piece is hashed in this pool while the next is parsed and
# written (in order: a piece waits for the previous one's hashing).
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="upload-sha256")


def _temporary_directory() -> str | None:
    """The local folder of the stored files, or None (a remote storage: the default)."""
    try:
        directory = documents_storage().path("documents")
    except NotImplementedError:
        return None
    try:
        os.makedirs(directory, mode=0o750, exist_ok=True)
    except OSError:
        return None
    return directory


class _UploadedFile(TemporaryUploadedFile):
    """Django's temporary upload file, in the folder given (hidden, removed when closed)."""

    def __init__(self, directory, name, content_type, size, charset, content_type_extra=None):
        if directory is None:
            super().__init__(name, content_type, size, charset, content_type_extra)
            return
        file = tempfile.NamedTemporaryFile(prefix=TEMPORARY_PREFIX, dir=directory)  # noqa: SIM115 (closed with the upload)
        super(TemporaryUploadedFile, self).__init__(
            file, name, content_type, size, charset, content_type_extra
        )


class DocumentUploadHandler(TemporaryFileUploadHandler):
    """A temporary file per upload, with its sha256 and a hard size limit."""

    chunk_size = CHUNK_BYTES

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large: list[str] = []
        self._directory = _temporary_directory()

    def new_file(self, *args, **kwargs):
        super(TemporaryFileUploadHandler, self).new_file(*args, **kwargs)
        self.file = _UploadedFile(
            self._directory,
            self.file_name,
            self.content_type,
            0,
            self.charset,
            self.content_type_extra,
        )
        self._digest, self._received, self._hashed = hashlib.sha256(), 0, None

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            self.too_large.append(self.file_name or "")
            self._hash(None)
            self.file.close()  # the temporary file is removed at once
            raise SkipFile
        self._hash(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def _hash(self, data: bytes | None) -> None:
        if self._hashed is not None:
            self._hashed.result()
        self._hashed = _HASHING.submit(self._digest.update, data) if data else None

    def file_complete(self, file_size):
        self._hash(None)
        upload = super().file_complete(file_size)
        if upload is not None:
            upload.sha256 = self._digest.hexdigest()
        return upload


def request_too_large(request, max_bytes: int) -> bool:
    """Whether the body announced is more than one file of max_bytes can fill."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    one_file = request.headers.get("X-Upload-Files") == "1"  # set by the page's script
    return one_file and length > max_bytes + ENVELOPE_BYTES


def install_handler(request, max_bytes: int) -> DocumentUploadHandler:
    handler = DocumentUploadHandler(request, max_bytes=max_bytes)
    request.upload_handlers = [handler]
    return handler
