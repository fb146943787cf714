"""Document libraries: folders, documents, their versions and the stored contents.

- A group's library is a tree of Folders (a materialised `path` of ids, "/3/17/", so
  a folder's ancestors are read from the row itself) holding Documents.
- A Document has DocumentVersions (author, date, comment); each version points to a
  Blob, the bytes stored once per sha256 under a generated name in the "documents"
  storage alias (never under MEDIA_URL: every byte is served by an authorising view).
- A version goes pending -> analysing -> ready | suspicious (the background scan and
  text extraction). A document shows its latest ready version (`current_version`).
- Folders and documents can be restricted to the group's animators or to named agents
  (guardian object permissions below); restrictions narrow down the tree.
- Deleting sets deleted_at/by (the trash); the daily purge removes what is older than
  the retention, and the contents no version uses any more.
"""

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase


class _DocumentsStorage(Storage):
    """Every call goes to storages["documents"], looked up at call time: a FileField keeps
    the storage it was given at import, and the alias may be configured after (tests)."""

    def __getattribute__(self, name):
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        return getattr(storages["documents"], name)


_documents_storage = _DocumentsStorage()


def documents_storage():
    """The storage of document contents (alias "documents", its own place on disk)."""
    return _documents_storage


def blob_name(instance, filename: str) -> str:
    """Generated name: never the agent's file name, spread over 256 folders.

    Under "documents/" of the storage's root, which is MEDIA_ROOT by default: the names
    are then the files' paths under MEDIA_ROOT, as `media_check` and the backups expect.
    """
    token = uuid.uuid4().hex
    return f"documents/{token[:2]}/{token}"


class Restriction(models.TextChoices):
    GROUP = "group", _("everyone who may read the group")
    ANIMATORS = "animators", _("the group's animators only")
    NAMED = "named", _("named agents and the animators")


class Library(models.Model):
    """A group's library settings: its quota (None: TRANSVERSE_DOCUMENT_GROUP_QUOTA_BYTES).

    Created on first use; its row is locked while an upload checks the quota, so two
    uploads to one group never both fit in the last free bytes.
    """

    group = models.OneToOneField(
        "groups.Group", primary_key=True, on_delete=models.CASCADE, related_name="library"
    )
    quota_bytes = models.BigIntegerField(_("quota (bytes)"), null=True, blank=True)

    class Meta:
        verbose_name = _("library")
        verbose_name_plural = _("libraries")


class Folder(models.Model):
    group = models.ForeignKey(
        "groups.Group", on_delete=models.CASCADE, related_name="document_folders"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("name"), max_length=255)
    # "/<root id>/.../<own id>/": ancestors without a query, a subtree by prefix.
    path = models.CharField(max_length=2000, db_index=True, default="", editable=False)
    restriction = models.CharField(
        _("who may see it"), max_length=10, choices=Restriction.choices, default=Restriction.GROUP
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("folder")
        verbose_name_plural = _("folders")
        permissions = [("access_restricted_folder", _("See a folder restricted to named agents"))]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(deleted_at__isnull=True, parent__isnull=False),
                name="documents_folder_name_once",
            ),
            models.UniqueConstraint(
                fields=["group", "name"],
                condition=Q(deleted_at__isnull=True, parent__isnull=True),
                name="documents_root_folder_name_once",
            ),
        ]
        indexes = [models.Index(fields=["group", "parent"])]

    def __str__(self):
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this folder itself."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Blob(models.Model):
    """Stored bytes, once per content (sha256), under a generated name."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    file = models.FileField(storage=documents_storage, upload_to=blob_name, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)


class Document(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("waiting for analysis")
        ANALYSING = "analysing", _("being analysed")
        READY = "ready", _("ready")
        SUSPICIOUS = "suspicious", _("suspicious")

    group = models.ForeignKey("groups.Group", on_delete=models.CASCADE, related_name="documents")
    folder = models.ForeignKey(
        Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    topics = models.ManyToManyField("topics.Topic", blank=True, related_name="documents")
    # The state of the first version: a document no version of which was ever ready is
    # shown only to its uploader and the group's animators.
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    current_version = models.ForeignKey(
        "DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restriction = models.CharField(
        _("who may see it"), max_length=10, choices=Restriction.choices, default=Restriction.GROUP
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        permissions = [
            ("access_restricted_document", _("See a document restricted to named agents"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["folder", "name"],
                condition=Q(deleted_at__isnull=True, folder__isnull=False),
                name="documents_document_name_once",
            ),
            models.UniqueConstraint(
                fields=["group", "name"],
                condition=Q(deleted_at__isnull=True, folder__isnull=True),
                name="documents_root_document_name_once",
            ),
        ]
        indexes = [
            models.Index(fields=["group", "folder", "name"]),
            models.Index(fields=["group", "-updated_at"]),
        ]

    def __str__(self):
        return self.name


class DocumentVersion(models.Model):
    State = Document.State

    class Extraction(models.TextChoices):
        NONE = "", _("not extracted yet")
        OK = "ok", _("text extracted")
        EMPTY = "empty", _("no text")
        FAILED = "failed", _("text not extractable")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions")
    filename = models.CharField(max_length=255)  # the sanitised name it was uploaded under
    size = models.BigIntegerField()
    mime = models.CharField(max_length=100)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Files dropped together share a batch (one stream entry per batch, not per file).
    batch = models.UUIDField(null=True, blank=True, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    scan_signature = models.CharField(max_length=200, blank=True)
    extraction = models.CharField(
        max_length=10, choices=Extraction.choices, default=Extraction.NONE, blank=True
    )
    extracted_text = models.TextField(blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_version_once")
        ]
        indexes = [models.Index(fields=["state", "created_at"])]
        ordering = ["-number"]


class FolderUserObjectPermission(UserObjectPermissionBase):
    """Named agents of a restricted folder (guardian, with a real foreign key)."""

    content_object = models.ForeignKey(Folder, on_delete=models.CASCADE)


class DocumentUserObjectPermission(UserObjectPermissionBase):
    """Named agents of a restricted document (guardian, with a real foreign key)."""

    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)
