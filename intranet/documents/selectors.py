"""Reads of the libraries, every one through the access model (visible_documents,
visible_folders), with what the templates read selected up front."""

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Left, Length
from django.http import Http404
from django.utils.translation import gettext as _

from intranet.accounts.models import User
from intranet.documents.access import (
    can_manage_trash,
    folder_contents,
    visible_documents,
    visible_folders,
    visible_versions,
)
from intranet.documents.models import Document, DocumentVersion, Folder
from intranet.groups.models import Group


def _with_card_fields(documents: QuerySet) -> QuerySet:
    return documents.select_related("current_version", "folder", "group", "created_by")


def folder_listing(actor, group: Group, folder: Folder | None):
    """(sub-folders, documents) directly in folder (None: the root) that actor may see:
    the folders as a list, the documents as a queryset for the page to paginate."""
    folders, documents = folder_contents(actor, group, folder)
    # The listing reads each document's current version only (its group is the page's).
    documents = documents.select_related("current_version").order_by("name", "pk")
    return list(folders.order_by("name")), documents


def folder_breadcrumbs(folder: Folder | None) -> list[Folder]:
    """The folders from the root down to folder (one query, from its path)."""
    if folder is None:
        return []
    ids = folder.ancestor_ids
    by_id = {f.pk: f for f in Folder.objects.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def folder_choices(actor, group: Group) -> list[Folder]:
    """Folders actor may move things into, in tree order (by path)."""
    folders = visible_folders(actor).filter(group=group, deleted_at__isnull=True)
    return sorted(folders, key=lambda f: [int(p) for p in f.path.strip("/").split("/") if p])


def group_documents(actor, group: Group, *, limit: int = 5) -> list[Document]:
    """The latest documents of group actor may see (for sections and cards)."""
    documents = visible_documents(actor).filter(group=group, state=Document.State.READY)
    return list(_with_card_fields(documents).order_by("-updated_at")[:limit])


def recent_documents(actor, *, limit: int = 5) -> list[Document]:
    """The latest documents actor may see, in all groups."""
    documents = visible_documents(actor).filter(state=Document.State.READY)
    return list(_with_card_fields(documents).order_by("-updated_at")[:limit])


def documents_by_ids(actor, ids) -> dict[int, Document]:
    """The documents among ids actor may see (cards in posts, chat, answers): one query."""
    clean = [int(pk) for pk in ids if str(pk).isdigit() and 0 < int(pk) < 2**63]
    documents = visible_documents(actor).filter(pk__in=clean, state=Document.State.READY)
    return {d.pk: d for d in _with_card_fields(documents)}


def trash_listing(actor, group: Group):
    """(trashed folders, trashed documents) of group, for its animators; ([], []) else."""
    if not can_manage_trash(actor, group):
        return [], []
    folders = Folder.objects.filter(group=group, deleted_at__isnull=False).select_related(
        "deleted_by"
    )
    # Trashed themselves, or inside a trashed folder (each can be restored alone).
    trashed_above = (
        Folder.objects.filter(group_id=OuterRef("group_id"), deleted_at__isnull=False)
        .annotate(prefix=Left(OuterRef("folder__path"), Length("path")))
        .filter(path=F("prefix"))
    )
    documents = (
        Document.objects.filter(group=group)
        .filter(Q(deleted_at__isnull=False) | Exists(trashed_above))
        .select_related("deleted_by", "current_version", "folder")
    )
    return list(folders.order_by("-deleted_at")), list(
        documents.order_by(F("deleted_at").desc(nulls_last=True), "name")
    )


def document_versions(actor, document: Document) -> list[DocumentVersion]:
    """The versions of document actor may see, newest first, with their authors."""
    return list(visible_versions(actor, document).order_by("-number"))


def document_version(actor, document: Document, number) -> DocumentVersion:
    """Version number of document if actor may see it; 404 otherwise."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise Http404 from None
    version = visible_versions(actor, document).select_related("blob").filter(number=number).first()
    if version is None:
        raise Http404
    return version


def named_logins(obj) -> list[str]:
    """The logins named on a restricted folder or document."""
    from guardian.shortcuts import get_users_with_perms

    return sorted(agent.username for agent in get_users_with_perms(obj, with_superusers=False))


def agents_by_logins(logins) -> list:
    """The active agents with these logins; DocumentError naming an unknown one."""
    from intranet.documents.services import DocumentError

    logins = list(dict.fromkeys(logins))
    agents = {a.username: a for a in User.objects.filter(username__in=logins, is_active=True)}
    for login in logins:
        if login not in agents:
            raise DocumentError(_("No agent has the login %(login)s.") % {"login": login})
    return [agents[login] for login in logins]
