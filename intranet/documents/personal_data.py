"""Document libraries' part of an agent's data (intranet.accounts.personal_data).

- export: the documents the agent uploaded (created, or added a version to) with the
  versions they uploaded, and those versions' files copied into the zip by chunks. A
  document a restriction keeps them out of (animators only, named agents without them,
  or under such a folder) is left out; so are other agents' versions and the files found
  suspicious by the malware scan (listed, not copied).
- anonymise: the uploader stays linked to the account, which now reads "Former agent";
  the named-agent rows of restricted items (who was let in) go.
- erase: the versions the agent uploaded go; a document left without versions goes
  with them (pages, search, stream), one with other agents' versions keeps those (its
  current version recomputed); a stored content goes, row and file after commit, only
  when no remaining version uses it (identical contents are stored once).
"""

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.documents.access import documents_restricted_from
from intranet.documents.models import (
    Blob,
    Document,
    DocumentUserObjectPermission,
    DocumentVersion,
    Folder,
    FolderUserObjectPermission,
    documents_storage,
)
from intranet.documents.search import KIND
from intranet.search.services import search_index_many_later

BATCH = 500


def _uploaded_documents(agent):
    """Documents agent created or added a version to (the trash included)."""
    return Document.objects.filter(
        Q(created_by=agent)
        | Q(pk__in=DocumentVersion.objects.filter(author=agent).values("document_id"))
    )


def _exported_documents(agent):
    return (
        _uploaded_documents(agent)
        .exclude(pk__in=documents_restricted_from(agent).values("pk"))
        .select_related("group", "folder")
        .order_by("pk")
    )


def _folder_names(documents) -> dict[int, str]:
    ids = {
        pk for document in documents if document.folder_id for pk in document.folder.ancestor_ids
    }
    return dict(Folder.objects.filter(pk__in=ids).values_list("pk", "name"))


def _file_name(document, version) -> str:
    return f"files/{document.pk}-v{version.number}-{version.filename}"


def _export(agent, archive) -> None:
    documents = list(_exported_documents(agent))
    names = _folder_names(documents)
    versions: dict[int, list[DocumentVersion]] = {}
    mine = DocumentVersion.objects.filter(author=agent, document__in=[d.pk for d in documents])
    for version in mine.select_related("blob").order_by("document_id", "number"):
        versions.setdefault(version.document_id, []).append(version)

    def copied(version) -> bool:
        return version.state != DocumentVersion.State.SUSPICIOUS

    def rows():
        for document in documents:
            folders = document.folder.ancestor_ids if document.folder_id else []
            yield {
                "id": document.pk,
                "group": document.group.name,
                "folder": " / ".join(names[pk] for pk in folders if pk in names),
                "name": document.name,
                "description": document.description,
                "created_by_you": document.created_by_id == agent.pk,
                "created_at": document.created_at,
                "in_trash_since": document.deleted_at,
                "versions": [
                    {
                        "number": v.number,
                        "file_name": v.filename,
                        "size": v.size,
                        "type": v.mime,
                        "comment": v.comment,
                        "uploaded_at": v.created_at,
                        "state": v.state,
                        "file": _file_name(document, v) if copied(v) else None,
                    }
                    for v in versions.get(document.pk, [])
                ],
            }

    archive.write_json("documents.json", rows())
    for document in documents:
        for version in versions.get(document.pk, []):
            if copied(version):
                archive.write_file(_file_name(document, version), version.blob.file)


def _count(agent) -> int:
    return DocumentVersion.objects.filter(author=agent).count()


def _anonymise(agent) -> None:
    DocumentUserObjectPermission.objects.filter(user=agent).delete()
    FolderUserObjectPermission.objects.filter(user=agent).delete()


def _erase(agent) -> None:
    versions = DocumentVersion.objects.filter(author=agent)
    touched = set(versions.values_list("document_id", flat=True))
    touched |= set(Document.objects.filter(created_by=agent).values_list("pk", flat=True))
    blob_ids = set(versions.values_list("blob_id", flat=True))
    Document.objects.filter(pk__in=touched).update(current_version=None)
    versions.delete()
    gone = []
    for document in Document.objects.filter(pk__in=touched).select_for_update():
        left = list(document.versions.order_by("-number").only("pk", "state"))
        if not left:
            gone.append(document.pk)
            continue
        ready = [v for v in left if v.state == DocumentVersion.State.READY]
        Document.objects.filter(pk=document.pk).update(
            current_version=ready[0] if ready else None,
            state=DocumentVersion.State.READY if ready else left[0].state,
        )
    Document.objects.filter(pk__in=gone).delete()
    search_index_many_later(KIND, sorted(touched))  # gone rows leave the index
    unused = Blob.objects.filter(pk__in=blob_ids, versions__isnull=True)
    files = list(unused.values_list("file", flat=True))
    unused.delete()
    storage = documents_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in files])


provider_register(
    Provider(
        name="documents",
        label=_("documents and versions uploaded"),
        export=_export,
        count=_count,
        anonymise=_anonymise,
        erase=_erase,
    )
)
