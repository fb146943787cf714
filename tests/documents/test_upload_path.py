"""The bytes of an upload on their way to the storage: one copy on disk, no leftovers.

The upload handler writes its temporary file beside the stored files, and the storage
links it into place (intranet.core.storage) instead of copying it; daphne's request file
is read by Django directly (intranet.core.daphne_tuning). Measured in
bench/documents/transfer.py; checked here by inode and by content.
"""

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadhandler import SkipFile

from intranet.core import daphne_tuning
from intranet.core.storage import TEMPORARY_PREFIX
from intranet.documents import services
from intranet.documents.models import Blob, Document, documents_storage
from intranet.documents.uploads import CHUNK_BYTES, DocumentUploadHandler
from tests.documents.conftest import PDF

pytestmark = pytest.mark.django_db


def received(data: bytes, *, name="rapport.pdf", max_bytes=10**9):
    """The file an upload handler makes of data, fed as Django's parser feeds it."""
    handler = DocumentUploadHandler(max_bytes=max_bytes)
    handler.new_file("files", name, "application/pdf", len(data))
    for start in range(0, len(data), CHUNK_BYTES):
        handler.receive_data_chunk(data[start : start + CHUNK_BYTES], start)
    return handler, handler.file_complete(len(data))


def files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def big_pdf() -> bytes:
    body = os.urandom(3 * CHUNK_BYTES + 12345)
    return PDF[:-6] + body + b"\n%%EOF\n"


def test_an_upload_is_linked_into_the_storage_not_copied(budget, alice):
    data = big_pdf()
    _handler, upload = received(data)
    root = Path(documents_storage().path(""))
    temporary = Path(upload.temporary_file_path())
    assert temporary.parent == root / "documents" and temporary.name.startswith(TEMPORARY_PREFIX)
    assert upload.sha256 == hashlib.sha256(data).hexdigest()  # hashed on the way

    document = services.document_upload(alice, group=budget, upload=upload)

    stored = Path(documents_storage().path(document.versions.get().blob.file.name))
    assert stored.read_bytes() == data
    assert stored.stat().st_ino == temporary.stat().st_ino  # the same bytes on disk
    assert oct(stored.stat().st_mode & 0o777) == oct(0o640)
    upload.close()
    assert files_under(root) == [str(stored.relative_to(root))]  # no temporary left


def test_a_refused_upload_leaves_no_file_and_no_row(budget, alice):
    _handler, upload = received(b"<!DOCTYPE html><script>alert(1)</script>" * 9000)
    root = Path(documents_storage().path(""))
    with pytest.raises(services.DocumentError):
        services.document_upload(alice, group=budget, upload=upload)
    upload.close()
    assert files_under(root) == []
    assert not Document.objects.exists() and not Blob.objects.exists()


def test_an_upload_over_the_limit_is_dropped_as_it_crosses_it(budget):
    handler = DocumentUploadHandler(max_bytes=2 * CHUNK_BYTES)
    handler.new_file("files", "gros.pdf", "application/pdf", None)
    temporary = Path(handler.file.temporary_file_path())
    handler.receive_data_chunk(b"x" * CHUNK_BYTES, 0)
    handler.receive_data_chunk(b"x" * CHUNK_BYTES, CHUNK_BYTES)
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x", 2 * CHUNK_BYTES)
    assert handler.too_large == ["gros.pdf"]
    assert not temporary.exists()


# --- Django reading daphne's request file (daphne_tuning._lazy_body_file) ---


def lazy_messages(file, spans, *, last_more=False):
    messages, offset = [], 0
    for n, length in enumerate(spans):
        more = n < len(spans) - 1 or last_more
        message = {"type": "http.request", "body": b"", "more_body": more}
        messages.append(daphne_tuning._LazyBody(message, file, offset, length))
        offset += length
    return messages


def read_body(messages):
    queue = list(messages)

    async def receive():
        return queue.pop(0)

    return asyncio.run(daphne_tuning._lazy_body_file(receive))


def test_django_reads_the_body_from_the_request_file_itself():
    data = os.urandom(3 * 1024 * 1024 + 7)
    with tempfile.TemporaryFile() as request_file:
        request_file.write(data)
        request_file.flush()
        spans = [1024 * 1024, 1024 * 1024, 1024 * 1024 + 7, 0]
        body, _messages = read_body(lazy_messages(request_file, spans))
        assert body is not None
        with body:
            assert body.read() == data
            body.seek(0)
            assert body.read(5) == data[:5]
        assert os.lseek(request_file.fileno(), 0, os.SEEK_CUR) == len(data)  # own position


@pytest.mark.parametrize(
    "case", ["gap", "short", "disconnect", "bytes in between", "plain messages"]
)
def test_other_bodies_are_read_as_django_does(case):
    data = os.urandom(2048)
    with tempfile.TemporaryFile() as request_file:
        request_file.write(data)
        request_file.flush()
        messages = lazy_messages(request_file, [1024, 1024])
        if case == "gap":
            file, offset, length = messages[1]._where
            messages[1]._where = (file, offset + 1, length - 1)
        elif case == "short":  # the file holds more than the messages say
            messages = lazy_messages(request_file, [1024, 1000])
        elif case == "disconnect":
            messages = [messages[0], {"type": "http.disconnect"}]
        elif case == "bytes in between":
            messages.insert(1, {"type": "http.request", "body": b"x", "more_body": True})
        else:
            messages = [{"type": "http.request", "body": data, "more_body": False}]
        body, replayed = read_body(messages)
    assert body is None
    assert replayed == messages  # handed, unread, to Django's own read_body
