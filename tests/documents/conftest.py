"""Fixtures of the document libraries.

Document contents go to a temporary folder (their own storage alias, like the site's).
`upload(actor, group, name, data)` adds a file through the service and runs its analysis
at once (the worker's task, called in the test), so the document is ready.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intranet.documents import services
from intranet.documents.tasks import version_analyse

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes(size=(8, 8), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _isolated_documents(settings, tmp_path):
    """Document contents under the test's temporary folder, never var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "intranet.core.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    from django.core.files.storage import storages

    storages._storages.pop("documents", None)  # built again from the new settings
    yield tmp_path / "documents"
    storages._storages.pop("documents", None)


def file_of(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def analyse(document_or_version):
    """Run the analysis task of every pending version of a document (or of a version)."""
    from intranet.documents.models import Document, DocumentVersion

    if isinstance(document_or_version, Document):
        versions = DocumentVersion.objects.filter(document=document_or_version, state="pending")
    else:
        versions = [document_or_version]
    for version in versions:
        version_analyse.call(version.pk)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(actor, group, name, data, folder=None): a ready document, by the services."""

    def make(actor, group, name="note.txt", data=b"Bonjour", folder=None):
        document = services.document_upload(
            actor, group=group, folder=folder, upload=file_of(name, data)
        )
        analyse(document)
        document.refresh_from_db()
        return document

    return make
