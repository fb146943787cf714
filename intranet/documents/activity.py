"""Document activity for the streams and the "recent documents" lists.

A batch is the uploads (new documents and new versions) of one agent in one folder within
a few minutes: a group's stream shows one entry per batch, not one per file. Batches are
assembled on read from the versions, for one viewer: only the ready versions of documents
the viewer may see (visible_documents) are read, so an entry lists the visible documents
of its batch only, and a batch with none visible is no entry at all.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q

from intranet.documents.access import group_documents_q, visible_documents
from intranet.documents.cards import document_url
from intranet.documents.models import Document, DocumentVersion, Folder
from intranet.groups.access import member_group_ids

BATCH_GAP = timedelta(minutes=5)
# What an entry shows of each version, its document, folder and author.
# Not reformatted: a list of names reads better packed than one a line.
_BATCH_FIELDS = ("id", "number", "created_at", "author_id", "document_id", "document__id",
                 "document__name", "document__folder_id", "document__group_id",
                 "document__folder__id", "document__folder__name", "document__folder__path",
                 "author__id", "author__username", "author__first_name", "author__last_name",
                 "author__is_active")  # fmt: skip
MAX_VERSIONS = 300  # versions read for one page of a stream
MAX_BATCHES = 20
MAX_ITEMS_SHOWN = 10


@dataclass
class BatchItem:
    document: Document
    version: DocumentVersion
    url: str

    @property
    def is_new_version(self) -> bool:
        return self.version.number > 1


@dataclass
class DocumentBatch:
    """One stream entry: what an agent uploaded into a folder in a few minutes."""

    author: object
    folder: Folder | None
    group_id: int
    at: datetime  # the latest upload of the batch
    started_at: datetime
    items: list[BatchItem] = field(default_factory=list)
    template = "documents/_activity.html"

    @property
    def shown_items(self) -> list[BatchItem]:
        return self.items[:MAX_ITEMS_SHOWN]

    @property
    def more_count(self) -> int:
        return max(0, len(self.items) - MAX_ITEMS_SHOWN)

    @property
    def new_versions(self) -> int:
        return sum(1 for item in self.items if item.is_new_version)


def shown_documents(actor):
    """Documents actor may see that have a ready version (what lists and entries show)."""
    return visible_documents(actor).filter(
        state=Document.State.READY, current_version__isnull=False
    )


def document_batches(actor, group, *, since: datetime | None = None, until=None):
    """The batches of group's library whose latest upload is in [since, until), newest
    first, for actor: one query (the versions, their documents, folders and authors).

    until: a datetime or an expression (a subquery on a feed's cursor)."""
    visible = group_documents_q(actor, group, prefix="document__")
    if visible is None:  # many folders keep actor out: the general subquery
        visible = Q(document__in=shown_documents(actor).filter(group_id=group.pk))
    versions = DocumentVersion.objects.filter(
        visible,
        document__state=Document.State.READY,
        document__current_version__isnull=False,
        state=DocumentVersion.State.READY,
    )
    if since is not None:
        versions = versions.filter(created_at__gte=since - BATCH_GAP)
    if until is not None:
        versions = versions.filter(created_at__lt=until)
    rows = list(
        versions.select_related("document__folder", "author")
        .only(*_BATCH_FIELDS)
        .order_by("-created_at", "-pk")[:MAX_VERSIONS]
    )
    batches = _batched(rows)
    if since is not None:
        batches = [b for b in batches if b.at >= since]
    return batches[:MAX_BATCHES]


def _batched(rows: list[DocumentVersion]) -> list[DocumentBatch]:
    """Versions (newest first) gathered per agent and folder while the gap stays short."""
    open_batches: dict[tuple, DocumentBatch] = {}
    batches: list[DocumentBatch] = []
    for version in rows:
        document = version.document
        key = (version.author_id, document.folder_id)
        batch = open_batches.get(key)
        if batch is None or batch.started_at - version.created_at > BATCH_GAP:
            batch = DocumentBatch(
                author=version.author,
                folder=document.folder,
                group_id=document.group_id,
                at=version.created_at,
                started_at=version.created_at,
            )
            open_batches[key] = batch
            batches.append(batch)
        batch.started_at = version.created_at
        if all(item.document.pk != document.pk for item in batch.items):
            batch.items.append(BatchItem(document, version, document_url(document.pk)))
    return batches


def recent_documents(actor, *, group=None, limit: int = 5) -> list[Document]:
    """The documents last changed in group (None: in actor's groups) that actor may see."""
    documents = shown_documents(actor)
    if group is not None:
        documents = documents.filter(group_id=group.pk)
    else:
        documents = documents.filter(group_id__in=member_group_ids(actor))
    rows = list(
        documents.select_related("current_version", "group", "folder").order_by(
            "-updated_at", "-pk"
        )[:limit]
    )
    for document in rows:
        document.url = document_url(document.pk)
    return rows
