"""Receiving uploaded files: on disk as they arrive, hashed on the way, refused past the size
limit without keeping the rest of the body.

The page's script sends one file per request, so a Content-Length above the limit is
refused before a byte of the body is read (request_too_large). A plain form with several
files is read file by file: a file past the limit is dropped as soon as it crosses it
(its name is kept in `handler.too_large` for the message), and the others go on.
"""

import hashlib

from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler

# Room for the multipart envelope and the form's other fields around one file.
ENVELOPE_BYTES = 64 * 1024


class DocumentUploadHandler(TemporaryFileUploadHandler):
    """A temporary file per upload, with its sha256 and a hard size limit."""

    def __init__(self, request=None, *, max_bytes: int):
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_large: list[str] = []

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._digest, self._received = hashlib.sha256(), 0

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            self.too_large.append(self.file_name or "")
            self.file.close()  # the temporary file is removed at once
            raise SkipFile
        self._digest.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
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
