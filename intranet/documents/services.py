"""Every write on document libraries: uploads, versions, folders, trash, restrictions.

Each public service authorises through intranet.documents.access itself (a view, a
command or a task cannot skip the check) and raises DocumentError, a ValidationError
with the message shown to the agent, for a refusal the agent can act on.

Uploads: the bytes are checked (size, type by their content, the group's quota), stored
once per sha256 under a generated name in the "documents" storage, then the rows are
written in one transaction. Any failure after the bytes were stored removes them unless
another row uses them, so an interrupted or refused upload leaves no file and no row.
After commit, a background task scans the version and extracts its text
(intranet.documents.tasks.version_analyse).
"""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.core.text import without_nul
from intranet.documents import filetypes
from intranet.documents.access import (
    PERM_DOCUMENT,
    PERM_FOLDER,
    Role,
    can_set_quota,
    document_abilities,
    folder_abilities,
    library_role,
)
from intranet.documents.models import (
    Blob,
    Document,
    DocumentVersion,
    Folder,
    Library,
    Restriction,
    documents_storage,
)
from intranet.documents.search import KIND, document_index_later, folder_index_later
from intranet.groups.models import Group
from intranet.search.services import search_index_many_later
from intranet.topics.services import topics_get_or_create, topics_in_text

logger = logging.getLogger(__name__)
security_logger = logging.getLogger("intranet.documents.security")
NAME_ATTEMPTS = 50
CHUNK = 1024 * 1024


class DocumentError(ValidationError):
    """A refusal the agent can act on; its message is shown as it is."""


def max_bytes() -> int:
    return int(settings.TRANSVERSE_DOCUMENT_MAX_BYTES)


def default_quota() -> int:
    return int(settings.TRANSVERSE_DOCUMENT_GROUP_QUOTA_BYTES)


def too_large_message(size: int | None = None) -> str:
    if size is None:
        return _("The file is too large; the limit is %(limit)s.") % {
            "limit": filesizeformat(max_bytes())
        }
    return _("The file is too large (%(size)s); the limit is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(max_bytes()),
    }


# --- Library: quota and usage ---


def library_usage(group: Group) -> tuple[int, int]:
    """(bytes used, quota in bytes) of group's library: each stored content counted once,
    trashed documents included until purged."""
    quota = Library.objects.filter(group=group).values_list("quota_bytes", flat=True).first()
    used = (
        Blob.objects.filter(
            pk__in=DocumentVersion.objects.filter(document__group=group).values("blob_id")
        ).aggregate(total=Sum("size"))["total"]
        or 0
    )
    return used, default_quota() if quota is None else quota


@transaction.atomic
def library_quota_set(actor, group: Group, *, quota_bytes: int | None) -> Library:
    """Staff set a group's quota (None: back to the site's default)."""
    if not can_set_quota(actor):
        raise PermissionDenied
    if quota_bytes is not None and quota_bytes < 0:
        raise DocumentError(_("A quota cannot be negative."), code="bad_quota")
    library, _created = Library.objects.get_or_create(group=group)
    library.quota_bytes = quota_bytes
    library.save(update_fields=["quota_bytes"])
    return library


def _lock_library(group: Group) -> Library:
    Library.objects.get_or_create(group=group)
    return Library.objects.select_for_update().get(group=group)


def _check_quota(group: Group, blob: Blob) -> None:
    """Inside the library lock: refuse when the content does not fit in the quota."""
    used, quota = library_usage(group)
    if DocumentVersion.objects.filter(document__group=group, blob=blob).exists():
        return  # the same content is already counted in this library
    if used + blob.size > quota:
        raise DocumentError(
            _(
                "The group's library is full: %(used)s used of %(quota)s. Delete documents "
                "(and empty the trash) or ask the site's administrators for more space."
            )
            % {"used": filesizeformat(used), "quota": filesizeformat(quota)},
            code="quota",
        )


# --- Stored contents ---


class _Stored:
    """The blob an upload's bytes went to, and whether this upload wrote the file."""

    def __init__(self, blob: Blob, wrote_file: bool):
        self.blob, self.wrote_file = blob, wrote_file


def _size_and_sha256(upload) -> tuple[int, str]:
    known = getattr(upload, "sha256", None)
    if known and upload.size is not None:
        return upload.size, known
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return size, digest.hexdigest()


def _checked(upload) -> tuple[str, object, int, str]:
    """(safe name, the file's kind, size, sha256) or DocumentError."""
    size, sha256 = _size_and_sha256(upload)
    if size > max_bytes():
        raise DocumentError(too_large_message(size), code="too_large")
    name = filetypes.safe_filename(without_nul(upload.name or ""))
    try:
        kind = filetypes.sniff_file(upload, name)  # the whole ZIP directory, for Office
    except filetypes.FileTypeRefused as exc:
        security_logger.info("upload refused: %r (%s)", name, exc)
        raise DocumentError(str(exc), code="bad_type") from None
    # The name ends in the type found in the content ("facture.pdf.exe" is no .exe).
    return filetypes.final_filename(name, kind), kind, size, sha256


def _store(upload, size: int, sha256: str) -> _Stored:
    """The Blob holding these bytes: an existing one, or the file written now (its row is
    created inside the caller's transaction, by _blob_row)."""
    blob = Blob.objects.filter(sha256=sha256).first()
    if blob is not None:
        return _Stored(blob, wrote_file=False)
    upload.seek(0)
    blob = Blob(sha256=sha256, size=size)
    blob.file.save("blob", upload, save=False)
    return _Stored(blob, wrote_file=True)


def _blob_row(stored: _Stored) -> Blob:
    """Inside the transaction: the blob's row (another upload of the same bytes may have
    created it meanwhile: then that one is used and our file removed after commit)."""
    if stored.blob.pk is not None:
        return stored.blob
    try:
        with transaction.atomic():
            stored.blob.save()
            return stored.blob
    except IntegrityError:
        existing = Blob.objects.get(sha256=stored.blob.sha256)
        name = stored.blob.file.name
        transaction.on_commit(lambda: _remove_file(name))
        return existing


def _remove_file(name: str) -> None:
    try:
        documents_storage().delete(name)
    except OSError:
        logger.warning("could not remove the stored file %s", name, exc_info=True)


def _forget_unused(stored: _Stored) -> None:
    """After a failure: remove the file this upload wrote unless a row now uses it."""
    if not stored.wrote_file:
        return
    name = stored.blob.file.name
    if not Blob.objects.filter(file=name).exists():
        _remove_file(name)


# --- Names ---


def _numbered(name: str, n: int) -> str:
    """ "rapport.pdf", 2 -> "rapport (2).pdf" (within the length limit)."""
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    suffix = f" ({n})" + (f".{extension}" if extension else "")
    return stem[: 255 - len(suffix)] + suffix


def _with_free_name(create, name: str):
    """Call create(name), then "name (2)", "name (3)"... while the name is taken in the
    folder (a database constraint: two agents dropping the same name at once both win)."""
    for attempt in range(1, NAME_ATTEMPTS + 1):
        candidate = name if attempt == 1 else _numbered(name, attempt)
        try:
            with transaction.atomic():
                return create(candidate)
        except IntegrityError:
            continue
    raise DocumentError(_("Too many items have this name here."), code="name_taken")


def _clean_name(name: str) -> str:
    cleaned = filetypes.safe_filename(without_nul(name or ""))
    if not cleaned.strip():
        raise DocumentError(_("Give a name."), code="name_required")
    return cleaned


# --- Uploads and versions ---


def _folder_of(actor, group: Group, folder: Folder | None, *, ability: str = "upload"):
    if folder is not None and folder.group_id != group.pk:
        raise Http404
    abilities = folder_abilities(actor, folder, group)
    if not abilities.view or abilities.in_trash:
        raise Http404
    if not getattr(abilities, ability):
        raise PermissionDenied


def _after_upload(version: DocumentVersion) -> None:
    from intranet.documents.tasks import version_analyse

    try:
        version_analyse.enqueue(version.pk)
    except Exception:  # the daily clean-up queues it again
        logger.warning("could not queue the analysis of version %s", version.pk, exc_info=True)


def document_upload(
    actor, *, group: Group, folder: Folder | None = None, upload, batch: uuid.UUID | None = None
) -> Document:
    """Add a file to group's library (in folder, or at its root); returns the Document.

    A file named like a document already in the folder is kept under "name (2).ext".
    """
    _folder_of(actor, group, folder)
    name, kind, size, sha256 = _checked(upload)
    stored = _store(upload, size, sha256)
    try:
        with transaction.atomic():
            _lock_library(group)
            blob = _blob_row(stored)
            _check_quota(group, blob)

            def create(candidate):
                return Document.objects.create(
                    group=group, folder=folder, name=candidate, created_by=actor
                )

            document = _with_free_name(create, name)
            version = DocumentVersion.objects.create(
                document=document,
                number=1,
                blob=blob,
                filename=name,
                size=size,
                mime=kind.mime,
                author=actor,
                batch=batch,
            )
            transaction.on_commit(lambda: _after_upload(version))
    except BaseException:
        _forget_unused(stored)
        raise
    return document


def document_version_add(
    actor, document: Document, *, upload, comment: str = "", batch: uuid.UUID | None = None
) -> DocumentVersion:
    """A new version of document, with its comment; shown once found clean."""
    if not document_abilities(actor, document).add_version:
        raise Http404 if not document_abilities(actor, document).view else PermissionDenied
    name, kind, size, sha256 = _checked(upload)
    stored = _store(upload, size, sha256)
    try:
        with transaction.atomic():
            _lock_library(document.group)
            blob = _blob_row(stored)
            _check_quota(document.group, blob)
            version = _version_create(actor, document, blob, name, size, kind.mime, comment, batch)
    except BaseException:
        _forget_unused(stored)
        raise
    return version


def _version_create(actor, document, blob, filename, size, mime, comment, batch):
    Document.objects.select_for_update().filter(pk=document.pk).first()
    number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = DocumentVersion.objects.create(
        document=document,
        number=number,
        blob=blob,
        filename=filename,
        size=size,
        mime=mime,
        comment=without_nul(comment or "")[:500],
        author=actor,
        batch=batch,
    )
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now())
    transaction.on_commit(lambda: _after_upload(version))
    return version


def document_version_restore(
    actor, document: Document, version: DocumentVersion, *, comment: str = ""
) -> DocumentVersion:
    """Make an old version current again, as a new version with the same content."""
    if not document_abilities(actor, document).add_version:
        raise PermissionDenied
    if version.document_id != document.pk or version.state != DocumentVersion.State.READY:
        raise Http404
    comment = comment or _("Restored version %(number)s") % {"number": version.number}
    with transaction.atomic():
        restored = _version_create(
            actor,
            document,
            version.blob,
            version.filename,
            version.size,
            version.mime,
            comment,
            None,
        )
    return restored


def version_mark(version_id: int, state: str, **fields) -> DocumentVersion | None:
    """Record an analysis' outcome (the task's write): ready versions become current."""
    with transaction.atomic():
        version = (
            DocumentVersion.objects.select_for_update()
            .select_related("document")
            .filter(pk=version_id)
            .first()
        )
        if version is None:
            return None
        version.state = state
        for field, value in fields.items():
            setattr(version, field, value)
        version.save()
        document = version.document
        if state == DocumentVersion.State.READY:
            current = document.current_version
            if current is None or current.number < version.number:
                document.current_version = version
            document.state = Document.State.READY
        elif document.state != Document.State.READY:
            document.state = state  # the first version's analysis decides who sees it
        if state == DocumentVersion.State.SUSPICIOUS:
            security_logger.warning(
                "version %s of document %s is suspicious: %s",
                version.pk,
                document.pk,
                fields.get("scan_signature", ""),
            )
        document.save(update_fields=["state", "current_version", "updated_at"])
        document_index_later(document)  # ready: found by its text; otherwise kept out
    return version


# --- Describing, renaming, moving ---


def _require(abilities, name: str) -> None:
    if not abilities.view or abilities.in_trash:
        raise Http404
    if not getattr(abilities, name):
        raise PermissionDenied


@transaction.atomic
def document_rename(actor, document: Document, *, name: str) -> Document:
    _require(document_abilities(actor, document), "edit")
    name = _clean_name(name)
    if name == document.name:
        return document

    def rename(candidate):
        Document.objects.filter(pk=document.pk).update(name=candidate, updated_at=timezone.now())
        return candidate

    document.name = _with_free_name(rename, name)
    document_index_later(document)
    return document


@transaction.atomic
def document_describe(actor, document: Document, *, description: str) -> Document:
    """Set the description; its #topics become the document's topics."""
    _require(document_abilities(actor, document), "edit")
    document.description = without_nul(description or "")[:5000]
    document.save(update_fields=["description", "updated_at"])
    document.topics.set(topics_get_or_create(topics_in_text(document.description)))
    document_index_later(document)
    return document


@transaction.atomic
def document_move(actor, document: Document, *, folder: Folder | None) -> Document:
    _require(document_abilities(actor, document), "edit")
    _folder_of(actor, document.group, folder)

    def move(candidate):
        Document.objects.filter(pk=document.pk).update(
            folder=folder, name=candidate, updated_at=timezone.now()
        )
        return candidate

    document.name = _with_free_name(move, document.name)
    document.folder = folder
    document_index_later(document)
    return document


def _folder_path(folder: Folder) -> str:
    parent_path = folder.parent.path if folder.parent_id else "/"
    return f"{parent_path}{folder.pk}/"


def folder_create(actor, *, group: Group, parent: Folder | None = None, name: str) -> Folder:
    _folder_of(actor, group, parent, ability="create_folder")
    name = _clean_name(name)

    def create(candidate):
        folder = Folder.objects.create(group=group, parent=parent, name=candidate, created_by=actor)
        folder.path = _folder_path(folder)
        folder.save(update_fields=["path"])
        return folder

    with transaction.atomic():
        return _with_free_name(create, name)


@transaction.atomic
def folder_rename(actor, folder: Folder, *, name: str) -> Folder:
    _require(folder_abilities(actor, folder, folder.group), "edit")
    name = _clean_name(name)
    if name == folder.name:
        return folder

    def rename(candidate):
        Folder.objects.filter(pk=folder.pk).update(name=candidate)
        return candidate

    folder.name = _with_free_name(rename, name)
    folder_index_later(folder)
    return folder


@transaction.atomic
def folder_move(actor, folder: Folder, *, parent: Folder | None) -> Folder:
    """Move folder (and everything in it) under parent, or to the library's root."""
    _require(folder_abilities(actor, folder, folder.group), "edit")
    _folder_of(actor, folder.group, parent, ability="create_folder")
    if parent is not None and parent.path.startswith(folder.path):
        raise DocumentError(_("A folder cannot go inside itself."), code="cycle")
    old_path = folder.path

    def move(candidate):
        Folder.objects.filter(pk=folder.pk).update(parent=parent, name=candidate)
        return candidate

    folder.name = _with_free_name(move, folder.name)
    folder.parent = parent
    new_path = _folder_path(folder)
    for sub in Folder.objects.select_for_update().filter(path__startswith=old_path):
        sub.path = new_path + sub.path[len(old_path) :]
        sub.save(update_fields=["path"])
    folder.path = new_path
    folder_index_later(folder)
    return folder


# --- Trash ---


@transaction.atomic
def document_delete(actor, document: Document) -> Document:
    """Move to the trash (animators may restore it for TRANSVERSE_DOCUMENT_TRASH_DAYS)."""
    _require(document_abilities(actor, document), "delete")
    document.deleted_at, document.deleted_by = timezone.now(), actor
    document.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    document_index_later(document)
    return document


@transaction.atomic
def folder_delete(actor, folder: Folder) -> Folder:
    """Move a folder, and so everything in it, to the trash."""
    _require(folder_abilities(actor, folder, folder.group), "delete")
    folder.deleted_at, folder.deleted_by = timezone.now(), actor
    folder.save(update_fields=["deleted_at", "deleted_by"])
    folder_index_later(folder)
    return folder


def _restore_abilities(abilities) -> None:
    if not abilities.view:
        raise Http404
    if not abilities.restore:
        raise PermissionDenied


def _in_trashed_folder(document: Document) -> bool:
    if not document.folder_id:
        return False
    ids = document.folder.ancestor_ids
    return Folder.objects.filter(pk__in=ids, deleted_at__isnull=False).exists()


def document_restore(actor, document: Document) -> Document:
    """Take a document out of the trash, under "name (2)" if its name was taken since.

    A document in a trashed folder (itself trashed or not) comes back alone, to the
    library's root: `document.moved_to_root` says so for the message."""
    _restore_abilities(document_abilities(actor, document))
    to_root = _in_trashed_folder(document)
    fields = {"folder": None} if to_root else {}

    def restore(candidate):
        Document.objects.filter(pk=document.pk).update(
            deleted_at=None, deleted_by=None, name=candidate, updated_at=timezone.now(), **fields
        )
        return candidate

    with transaction.atomic():
        if to_root:
            document.folder = None
        document.name = _with_free_name(restore, document.name)
    document.deleted_at = document.deleted_by = None
    document.moved_to_root = to_root
    document_index_later(document)
    return document


def folder_restore(actor, folder: Folder) -> Folder:
    _restore_abilities(folder_abilities(actor, folder, folder.group))

    def restore(candidate):
        Folder.objects.filter(pk=folder.pk).update(deleted_at=None, deleted_by=None, name=candidate)
        return candidate

    with transaction.atomic():
        folder.name = _with_free_name(restore, folder.name)
    folder.deleted_at = folder.deleted_by = None
    folder_index_later(folder)
    return folder


def trash_purge(*, now=None) -> int:
    """Remove what has been in the trash longer than the retention, then the contents no
    version uses any more. Returns the number of documents removed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(settings.TRANSVERSE_DOCUMENT_TRASH_DAYS))
    removed = 0
    for folder in Folder.objects.filter(deleted_at__lt=cutoff).order_by("path"):
        with transaction.atomic():
            inside = Document.objects.filter(folder__path__startswith=folder.path)
            removed += _documents_remove(inside)
            Folder.objects.filter(path__startswith=folder.path).delete()
    removed += _documents_remove(Document.objects.filter(deleted_at__lt=cutoff))
    blobs_purge()
    return removed


def _documents_remove(documents) -> int:
    ids = list(documents.values_list("pk", flat=True))
    with transaction.atomic():
        Document.objects.filter(pk__in=ids).update(current_version=None)
        DocumentVersion.objects.filter(document_id__in=ids).delete()
        Document.objects.filter(pk__in=ids).delete()
        search_index_many_later(KIND, ids)  # gone rows leave the index
    return len(ids)


def blobs_purge() -> int:
    """Remove the stored contents no version refers to (row, then file)."""
    removed = 0
    for blob in Blob.objects.filter(versions__isnull=True).iterator():
        name = blob.file.name
        with transaction.atomic():
            deleted, _detail = Blob.objects.filter(pk=blob.pk, versions__isnull=True).delete()
        if deleted:
            _remove_file(name)
            removed += 1
    return removed


def pending_cleanup(*, now=None, older_than=timedelta(hours=48)) -> int:
    """Remove versions left pending or analysing too long (and documents left without
    any version); queue the analysis again for the younger ones."""
    now = now or timezone.now()
    stale = DocumentVersion.objects.filter(
        state__in=[DocumentVersion.State.PENDING, DocumentVersion.State.ANALYSING],
        created_at__lt=now - older_than,
    )
    documents = list(stale.values_list("document_id", flat=True).distinct())
    count = len(stale)
    with transaction.atomic():
        stale.delete()
        Document.objects.filter(pk__in=documents, versions__isnull=True).delete()
    for version in DocumentVersion.objects.filter(
        state=DocumentVersion.State.PENDING, created_at__lt=now - timedelta(hours=1)
    ):
        _after_upload(version)
    blobs_purge()
    return count


# --- Restrictions ---


def _set_named(obj, perm: str, agents) -> None:
    from guardian.shortcuts import assign_perm, get_users_with_perms, remove_perm

    wanted = {agent.pk: agent for agent in agents}
    current = {
        agent.pk: agent
        for agent in get_users_with_perms(obj, only_with_perms_in=[perm], with_superusers=False)
    }
    for pk, agent in wanted.items():
        if pk not in current:
            assign_perm(f"documents.{perm}", agent, obj)
    for pk, agent in current.items():
        if pk not in wanted:
            remove_perm(f"documents.{perm}", agent, obj)


def _restriction(value: str) -> str:
    if value not in Restriction.values:
        raise DocumentError(_("Choose who may see it."), code="bad_restriction")
    return value


def _named_agents_check(group: Group, agents) -> list:
    agents = list(agents)
    for agent in agents:
        if library_role(agent, group) < Role.READER:
            raise DocumentError(
                _("%(name)s cannot read this group's documents.")
                % {"name": agent.get_full_name() or agent.username},
                code="not_reader",
            )
    return agents


@transaction.atomic
def document_restrict(actor, document: Document, *, restriction: str, agents=()) -> Document:
    """Restrict a document to the animators, or to named agents (and the animators)."""
    _require(document_abilities(actor, document), "restrict")
    document.restriction = _restriction(restriction)
    agents = _named_agents_check(document.group, agents) if restriction == "named" else []
    document.save(update_fields=["restriction", "updated_at"])
    _set_named(document, PERM_DOCUMENT, agents)
    document_index_later(document)
    return document


@transaction.atomic
def folder_restrict(actor, folder: Folder, *, restriction: str, agents=()) -> Folder:
    _require(folder_abilities(actor, folder, folder.group), "restrict")
    folder.restriction = _restriction(restriction)
    agents = _named_agents_check(folder.group, agents) if restriction == "named" else []
    folder.save(update_fields=["restriction"])
    _set_named(folder, PERM_FOLDER, agents)
    folder_index_later(folder)
    return folder
