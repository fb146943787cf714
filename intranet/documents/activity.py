"""Document activity for the streams and the "recent documents" lists.

A batch is the uploads (new documents and new versions) of one agent in one folder within
a few minutes: a group's stream shows one entry per batch, not one per file. Batches are
assembled on read from the versions, for one viewer: only the ready versions of documents
the viewer may see (visible_documents) are read, so an entry lists the visible documents
of its batch only, and a batch with none visible is no entry at all.

The group page and the home page ask for both on every view: their statements are
compiled once per process (access.agent_documents_q, the same rule as visible_documents,
with stand-in ids replaced by the viewer's and the group's), prepared on PostgreSQL, and
their rows read as tuples. Building and compiling the ORM's queries, and PostgreSQL's
planning of them, cost far more than running them.
"""

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Q

from intranet.accounts.access import is_active_agent
from intranet.accounts.models import User
from intranet.core.prepared import prepared_cursor
from intranet.documents.access import agent_documents_q, group_documents_q, visible_documents
from intranet.documents.cards import document_url
from intranet.documents.models import Document, DocumentVersion, Folder
from intranet.groups.access import member_group_ids

BATCH_GAP = timedelta(minutes=5)
# What an entry shows of each version, its document, folder and author, in this order.
# Not reformatted: a list of names reads better packed than one a line.
_BATCH_COLUMNS = ("id", "number", "created_at", "author_id", "document_id", "document__name",
                  "document__folder_id", "document__group_id", "document__folder__name",
                  "author__username", "author__first_name", "author__last_name",
                  "author__is_active")  # fmt: skip
# What a "recent documents" line shows, in this order.
_RECENT_COLUMNS = ("id", "name", "group__name", "current_version__size", "updated_at")
MAX_VERSIONS = 300  # versions read for one page of a stream
MAX_BATCHES = 20
MAX_ITEMS_SHOWN = 10

# Stand-ins for the viewer's and the group's ids and for the earliest upload read, in the
# statements compiled once below.
_AGENT, _GROUP = -(2**62) + 21, -(2**62) + 22
_GROUPS = range(-(2**62) + 1000, -(2**62) + 100_000)  # the agent's groups (home page)
_FROM = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


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
    document_ids: set = field(default_factory=set, repr=False, compare=False)  # of items
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


@dataclass(frozen=True)
class RecentDocument:
    """One line of "recent documents": what it shows of a document the viewer may see."""

    pk: int
    name: str
    group_name: str
    size: int  # of its current version
    updated_at: datetime
    url: str


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple  # with the stand-ins
    columns: tuple  # the selected expressions, for the database's converters


def _compiled(queryset) -> _Statement:
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    return _Statement(sql, tuple(params), tuple(column for column, _, _ in compiler.select))


def _adapted_from(value: datetime):
    """A datetime as the ORM passes it to the database (a string on SQLite)."""
    return DocumentVersion._meta.get_field("created_at").get_db_prep_value(value, connection)


def _fetch(statement: _Statement, values: dict) -> list[list]:
    """Rows of statement, its stand-ins replaced by values, converted as the ORM does."""
    params = [values.get(p, p) for p in statement.params]
    with prepared_cursor() as cursor:
        cursor.execute(statement.sql, params)
        rows = cursor.fetchall()
    converters = []
    for position, column in enumerate(statement.columns):
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((position, functions, column))
    rows = [list(row) for row in rows]
    for row in rows:
        for position, functions, column in converters:
            for function in functions:
                row[position] = function(row[position], column, connection)
    return rows


def shown_documents(actor):
    """Documents actor may see that have a ready version (what lists and entries show)."""
    return visible_documents(actor).filter(
        state=Document.State.READY, current_version__isnull=False
    )


def document_batches(actor, group, *, since: datetime | None = None, until=None):
    """The batches of group's library whose latest upload is in [since, until), newest
    first, for actor: one query (the versions, their documents, folders and authors).

    until: a datetime or an expression (a subquery on a feed's cursor). Without it (the
    first page of a group's stream, on every view of its page), the statement compiled
    once per process; with it, the ORM's query."""
    if not is_active_agent(actor):
        return []
    if until is None:
        statement = _batches_statement(connection.vendor, actor.is_staff, since is not None)
        values = {_AGENT: actor.pk, _GROUP: group.pk}
        if since is not None:
            values[_adapted_from(_FROM)] = _adapted_from(since - BATCH_GAP)
        rows = _fetch(statement, values)
    else:
        rows = _batch_rows_by_the_orm(actor, group, since, until)
    batches = _batched(rows)
    if since is not None:
        batches = [b for b in batches if b.at >= since]
    return batches[:MAX_BATCHES]


@functools.cache
def _batches_statement(vendor: str, is_staff: bool, bounded: bool) -> _Statement:
    """document_batches' statement without `until`, compiled once per process, the
    versions read from _FROM on when bounded."""
    versions = DocumentVersion.objects.filter(
        agent_documents_q(_AGENT, is_staff=is_staff, group_ids=[_GROUP], prefix="document__"),
        document__state=Document.State.READY,
        document__current_version__isnull=False,
        state=DocumentVersion.State.READY,
    )
    if bounded:
        versions = versions.filter(created_at__gte=_FROM)
    versions = versions.order_by("-created_at", "-pk").values_list(*_BATCH_COLUMNS)
    statement = _compiled(versions[:MAX_VERSIONS])
    wanted = {_GROUP} if is_staff else {_AGENT, _GROUP}  # staff: no fact of the agent
    if not wanted <= set(statement.params) or (
        bounded and _adapted_from(_FROM) not in statement.params
    ):
        raise RuntimeError("the batches' statement lost a parameter")
    return statement


def _batch_rows_by_the_orm(actor, group, since, until) -> list:
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
    versions = versions.filter(created_at__lt=until)
    return list(versions.order_by("-created_at", "-pk").values_list(*_BATCH_COLUMNS)[:MAX_VERSIONS])


def _batched(rows: list) -> list[DocumentBatch]:
    """Versions (rows of _BATCH_COLUMNS, newest first) gathered per agent and folder while
    the gap stays short; each document once per batch, at its latest version."""
    open_batches: dict[tuple, DocumentBatch] = {}
    batches: list[DocumentBatch] = []
    authors: dict[int, User] = {}
    folders: dict[int, Folder] = {}
    documents: dict[int, Document] = {}
    for row in rows:
        pk, number, created_at, author_id, document_id, name, folder_id, group_id = row[:8]
        key = (author_id, folder_id)
        batch = open_batches.get(key)
        if batch is None or batch.started_at - created_at > BATCH_GAP:
            batch = DocumentBatch(
                author=_author(authors, row),
                folder=_folder(folders, folder_id, row[8]),
                group_id=group_id,
                at=created_at,
                started_at=created_at,
            )
            open_batches[key] = batch
            batches.append(batch)
        batch.started_at = created_at
        if document_id not in batch.document_ids:
            batch.document_ids.add(document_id)
            document = documents.get(document_id)
            if document is None:
                document = documents[document_id] = Document(
                    id=document_id, name=name, folder_id=folder_id, group_id=group_id
                )
            version = DocumentVersion(
                id=pk,
                number=number,
                created_at=created_at,
                author_id=author_id,
                document_id=document_id,
            )
            batch.items.append(BatchItem(document, version, document_url(document_id)))
    return batches


def _author(authors: dict, row) -> User | None:
    author_id = row[3]
    if author_id is None:
        return None
    if author_id not in authors:
        username, first_name, last_name, is_active = row[9:13]
        authors[author_id] = User(
            id=author_id,
            username=username,
            first_name=first_name,
            last_name=last_name,
            is_active=is_active,
        )
    return authors[author_id]


def _folder(folders: dict, folder_id, name) -> Folder | None:
    if folder_id is None:
        return None
    if folder_id not in folders:
        folders[folder_id] = Folder(id=folder_id, name=name)
    return folders[folder_id]


def recent_documents(actor, *, group=None, limit: int = 5) -> list[RecentDocument]:
    """The documents last changed in group (None: in actor's groups) that actor may see:
    one statement compiled once per process (per number of groups on the home page: the
    groups' ids are written out, so PostgreSQL walks each group's index by date)."""
    if not is_active_agent(actor):
        return []
    groups = [group.pk] if group is not None else sorted(member_group_ids(actor))
    if not groups:
        return []
    statement = _recent_statement(connection.vendor, actor.is_staff, len(groups), limit)
    values = {_AGENT: actor.pk, **dict(zip(_GROUPS, groups, strict=False))}
    return [
        RecentDocument(pk, name, group_name, size, updated_at, document_url(pk))
        for pk, name, group_name, size, updated_at in _fetch(statement, values)
    ]


@functools.lru_cache(maxsize=64)
def _recent_statement(vendor: str, is_staff: bool, group_count: int, limit: int) -> _Statement:
    stand_ins = list(_GROUPS[:group_count])
    documents = Document.objects.filter(
        agent_documents_q(_AGENT, is_staff=is_staff, group_ids=stand_ins),
        state=Document.State.READY,
        current_version__isnull=False,
    )
    rows = documents.order_by("-updated_at", "-pk").values_list(*_RECENT_COLUMNS)[:limit]
    statement = _compiled(rows)
    # Staff see every group's documents: no fact of the agent is read.
    wanted = set(stand_ins) if is_staff else {_AGENT, *stand_ins}
    if not wanted <= set(statement.params):
        raise RuntimeError("the recent documents' statement lost a parameter")
    return statement
