"""Documents as rows, for the tests of search, cards and stream activity.

What the upload service and the analysis task leave once a file is analysed (a blob, a
document, a ready version with its extracted text), written directly so that these tests
depend on the access model and the selectors they exercise, not on file sniffing or the
background worker (tested with the services in their own modules).
"""

import hashlib
import itertools
from datetime import datetime

from guardian.shortcuts import assign_perm

from intranet.documents.models import Blob, Document, DocumentVersion, Folder

_counter = itertools.count(1)


def make_folder(group, name, *, parent=None, restriction="group", named=(), by=None):
    folder = Folder.objects.create(
        group=group, parent=parent, name=name, restriction=restriction, created_by=by
    )
    folder.path = f"{parent.path if parent else '/'}{folder.pk}/"
    folder.save(update_fields=["path"])
    for agent in named:
        assign_perm("documents.access_restricted_folder", agent, folder)
    return folder


def make_document(
    group,
    author,
    name,
    *,
    text="",
    folder=None,
    restriction="group",
    named=(),
    state="ready",
    mime="application/pdf",
    size=2048,
    description="",
    at: datetime | None = None,
):
    """A document with one version in `state` (ready: current, with text extracted)."""
    n = next(_counter)
    blob = Blob.objects.create(
        sha256=hashlib.sha256(f"{name}{n}".encode()).hexdigest(), size=size, file=f"blobs/t/{n}"
    )
    document = Document.objects.create(
        group=group,
        folder=folder,
        name=name,
        description=description,
        restriction=restriction,
        state=state,
        created_by=author,
    )
    version_add(document, author, blob=blob, mime=mime, size=size, text=text, at=at)
    for agent in named:
        assign_perm("documents.access_restricted_document", agent, document)
    document.refresh_from_db()
    return document


def version_add(document, author, *, blob=None, mime=None, size=None, text="", at=None):
    """A new version of document (ready when the document is), made its current one."""
    n = next(_counter)
    current = document.versions.order_by("-number").first()
    blob = blob or Blob.objects.create(
        sha256=hashlib.sha256(f"v{n}".encode()).hexdigest(), size=size or 1, file=f"blobs/t/v{n}"
    )
    version = DocumentVersion.objects.create(
        document=document,
        number=(current.number + 1) if current else 1,
        blob=blob,
        filename=document.name,
        size=size or blob.size,
        mime=mime or (current.mime if current else "application/pdf"),
        author=author,
        state=document.state,
        extraction="ok" if text else "empty",
        extracted_text=text,
    )
    if at is not None:
        DocumentVersion.objects.filter(pk=version.pk).update(created_at=at)
        version.created_at = at
    if document.state == Document.State.READY:
        Document.objects.filter(pk=document.pk).update(current_version=version)
        document.current_version = version
    return version
