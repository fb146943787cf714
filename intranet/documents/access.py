"""Who may see and do what in document libraries. The only place that decides it.

Rules:
- the agent's role in a group's library follows the group's access model: reader (may
  read the group's content: members, everyone for an open group), contributor (member of
  a group not archived), animator (the group's moderators, and staff);
- a folder or document may be restricted to the group's animators, or to named agents
  (guardian object permissions) and the animators; restrictions narrow down the tree:
  a document is seen only when it and every folder above it let the agent in. A
  folder's ancestors are read from its materialised path, checked in one query;
- a document whose first version was never found clean (pending, analysing, suspicious)
  is seen only by its uploader and the animators; so is a version in that state;
- trashed items (themselves or a folder above) are seen only by the animators;
- what an agent may do with an item is one Abilities value computed here, reused by every
  view, service and file response.
Anything the agent may not see answers 404, exactly like a missing id.
"""

from dataclasses import dataclass
from enum import IntEnum

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Left, Length
from django.http import Http404

from intranet.accounts.access import is_active_agent
from intranet.core.request_cache import request_cached
from intranet.documents.models import (
    Document,
    DocumentUserObjectPermission,
    DocumentVersion,
    Folder,
    FolderUserObjectPermission,
    Restriction,
)
from intranet.groups.access import (
    can_moderate_group,
    can_read_group_content,
    is_member,
    readable_group_ids_q,
)
from intranet.groups.models import Group, GroupUserObjectPermission, Membership

PERM_FOLDER = "access_restricted_folder"
PERM_DOCUMENT = "access_restricted_document"


class Role(IntEnum):
    NONE = 0
    READER = 1
    CONTRIBUTOR = 2
    ANIMATOR = 3


@dataclass(frozen=True)
class Abilities:
    """What one agent may do with one folder or document (all False: not even see it)."""

    view: bool = False
    download: bool = False
    add_version: bool = False
    edit: bool = False  # rename, move, describe, tag
    delete: bool = False
    restrict: bool = False
    restore: bool = False  # from the trash
    upload: bool = False  # into a folder
    create_folder: bool = False
    in_trash: bool = False  # the item or a folder above it is in the trash

    def as_list(self) -> list[str]:
        return [name for name, value in self.__dict__.items() if value]


NOTHING = Abilities()


def library_role(actor, group: Group) -> Role:
    if not is_active_agent(actor) or not can_read_group_content(actor, group):
        return Role.NONE
    if can_moderate_group(actor, group):
        return Role.ANIMATOR
    if is_member(actor, group) and not group.is_archived:
        return Role.CONTRIBUTOR
    return Role.READER


def animator_group_ids(actor) -> frozenset[int]:
    """Groups whose library actor animates (guardian's moderate_group), once per request."""
    if not is_active_agent(actor):
        return frozenset()
    return request_cached(
        ("document_animator_groups", actor.pk),
        lambda: frozenset(
            GroupUserObjectPermission.objects.filter(
                user_id=actor.pk, permission__codename="moderate_group"
            ).values_list("content_object_id", flat=True)
        ),
    )


def _named(model, actor, codename: str):
    """EXISTS: actor is named on the outer row (a guardian object permission)."""
    return Exists(
        model.objects.filter(
            content_object_id=OuterRef("pk"), user_id=actor.pk, permission__codename=codename
        )
    )


def _not_animator(actor) -> Q:
    return ~Q(group_id__in=animator_group_ids(actor))


def _blocked_folders(actor, *, outer_path: str, everyone_deleted: bool = True) -> QuerySet:
    """Folders of the outer row's group, above it (path prefix), that keep actor out."""
    keeps_out = Q(restriction=Restriction.ANIMATORS) | (
        Q(restriction=Restriction.NAMED) & ~_named(FolderUserObjectPermission, actor, PERM_FOLDER)
    )
    # Staff and the group's animators pass every restriction (not the trash).
    keeps_out = Q(pk__in=[]) if actor.is_staff else _not_animator(actor) & keeps_out
    if everyone_deleted:
        keeps_out |= Q(deleted_at__isnull=False)
    return (
        Folder.objects.filter(group_id=OuterRef("group_id"))
        .annotate(prefix=Left(OuterRef(outer_path), Length("path")))
        .filter(keeps_out, path=F("prefix"))
    )


def visible_documents(actor) -> QuerySet[Document]:
    """Documents actor may see in libraries (not trashed, not kept out by a restriction)."""
    if not is_active_agent(actor):
        return Document.objects.none()
    documents = Document.objects.filter(readable_group_ids_q(actor), deleted_at__isnull=True)
    documents = documents.exclude(Exists(_blocked_folders(actor, outer_path="folder__path")))
    if actor.is_staff:
        return documents
    not_animator = _not_animator(actor)
    return documents.exclude(
        not_animator
        & (
            Q(restriction=Restriction.ANIMATORS)
            | (
                Q(restriction=Restriction.NAMED)
                & ~_named(DocumentUserObjectPermission, actor, PERM_DOCUMENT)
            )
            | (~Q(state=Document.State.READY) & ~Q(created_by_id=actor.pk))
        )
    )


def agent_documents_q(agent_id, *, is_staff: bool, group_ids: list, prefix: str = "") -> Q:
    """visible_documents of the active agent agent_id in the groups group_ids, as a Q on
    documents (through `prefix`, "document__" from versions), with every fact about the
    agent (its groups, the libraries it animates, the folders and documents it is named
    on) read by the statement itself: the same SQL for every agent, which a page's hot
    reads compile once per process with stand-in ids (documents.activity). The caller
    checks that the agent is active.

    The folders that keep the agent out are matched by id, through the list of the
    folders at or below them (one uncorrelated subquery, which PostgreSQL hashes once)
    rather than by a path subquery per document. A document's folder is in its group.
    """
    p = prefix
    member_of = Membership.objects.filter(agent_id=agent_id).values("group_id")
    q = Q(**{f"{p}group_id__in": group_ids, f"{p}deleted_at__isnull": True})
    if not is_staff:  # readable_group_ids_q, with the memberships as a subquery
        q &= Q(**{f"{p}group_id__in": member_of}) | Q(**{f"{p}group__policy": Group.Policy.OPEN})
    animated = GroupUserObjectPermission.objects.filter(
        user_id=agent_id, permission__codename="moderate_group"
    ).values("content_object_id")
    keeps_out = Q(deleted_at__isnull=False)  # the trash keeps everyone out of lists
    if not is_staff:  # staff and the group's animators pass every restriction
        named = FolderUserObjectPermission.objects.filter(
            user_id=agent_id, permission__codename=PERM_FOLDER
        ).values("content_object_id")
        keeps_out |= ~Q(group_id__in=animated) & (
            Q(restriction=Restriction.ANIMATORS)
            | (Q(restriction=Restriction.NAMED) & ~Q(pk__in=named))
        )
    above = (
        Folder.objects.filter(keeps_out, group_id=OuterRef("group_id"))
        .annotate(prefix=Left(OuterRef("path"), Length("path")))
        .filter(path=F("prefix"))
    )
    kept_out_folders = Folder.objects.filter(Exists(above), group_id__in=group_ids).values("pk")
    q &= ~Q(**{f"{p}folder_id__in": kept_out_folders})
    if is_staff:
        return q
    named = DocumentUserObjectPermission.objects.filter(
        user_id=agent_id, permission__codename=PERM_DOCUMENT
    ).values("content_object_id")
    return q & ~(
        ~Q(**{f"{p}group_id__in": animated})
        & (
            Q(**{f"{p}restriction": Restriction.ANIMATORS})
            | (Q(**{f"{p}restriction": Restriction.NAMED}) & ~Q(**{f"{p}pk__in": named}))
            | (~Q(**{f"{p}state": Document.State.READY}) & ~Q(**{f"{p}created_by_id": agent_id}))
        )
    )


def visible_folders(actor) -> QuerySet[Folder]:
    """Folders actor may see (not trashed, neither they nor a folder above restricted)."""
    if not is_active_agent(actor):
        return Folder.objects.none()
    folders = Folder.objects.filter(readable_group_ids_q(actor))
    return folders.exclude(Exists(_blocked_folders(actor, outer_path="path")))


def folder_contents(actor, group: Group, folder: Folder | None) -> tuple[QuerySet, QuerySet]:
    """(sub-folders, documents) directly in folder that actor may see.

    Only for a folder actor may see (access_folder, or the root of a library they may
    read): the folders above are then known to let them in, so each child is decided by
    its own restriction and state, without the ancestors' subquery of visible_*.
    """
    folders = Folder.objects.filter(group=group, parent=folder, deleted_at__isnull=True)
    documents = Document.objects.filter(group=group, folder=folder, deleted_at__isnull=True)
    role = library_role(actor, group)
    if role == Role.NONE:
        return folders.none(), documents.none()
    if role >= Role.ANIMATOR:
        return folders, documents
    folders = folders.filter(
        Q(restriction=Restriction.GROUP)
        | (
            Q(restriction=Restriction.NAMED)
            & _named(FolderUserObjectPermission, actor, PERM_FOLDER)
        )
    )
    documents = documents.filter(
        Q(restriction=Restriction.GROUP)
        | (
            Q(restriction=Restriction.NAMED)
            & _named(DocumentUserObjectPermission, actor, PERM_DOCUMENT)
        ),
        Q(state=Document.State.READY) | Q(created_by_id=actor.pk),
    )
    return folders, documents


def visible_versions(actor, document: Document) -> QuerySet[DocumentVersion]:
    """The versions of a document actor may see (call with a document actor may see)."""
    versions = document.versions.select_related("author")
    if library_role(actor, document.group) >= Role.ANIMATOR:
        return versions
    return versions.filter(Q(state=DocumentVersion.State.READY) | Q(author_id=actor.pk))


def _chain_lets_in(actor, group: Group, ancestor_ids: list[int]) -> tuple[bool, bool]:
    """(whether every folder in ancestor_ids lets actor in, whether one is trashed).

    One query over the folders of the chain that restrict or are trashed.
    """
    if not ancestor_ids:
        return True, False
    rows = (
        Folder.objects.filter(pk__in=ancestor_ids)
        .filter(~Q(restriction=Restriction.GROUP) | Q(deleted_at__isnull=False))
        .annotate(named=_named(FolderUserObjectPermission, actor, PERM_FOLDER))
        .values_list("restriction", "deleted_at", "named")
    )
    animator = library_role(actor, group) >= Role.ANIMATOR
    lets_in, trashed = True, False
    for restriction, deleted_at, named in rows:
        trashed = trashed or deleted_at is not None
        if animator:
            continue
        if restriction == Restriction.ANIMATORS or (restriction == Restriction.NAMED and not named):
            lets_in = False
    return lets_in, trashed


def _own_restriction_lets_in(role: Role, restriction: str, named: bool) -> bool:
    if role >= Role.ANIMATOR or restriction == Restriction.GROUP:
        return True
    return restriction == Restriction.NAMED and named


def document_abilities(actor, document: Document) -> Abilities:
    """What actor may do with document. Needs document.group and document.folder loaded;
    reads `document.named_for_actor` when the query annotated it (access_document does)."""
    role = library_role(actor, document.group)
    if role == Role.NONE:
        return NOTHING
    named = getattr(document, "named_for_actor", None)
    if named is None and document.restriction == Restriction.NAMED:
        named = actor.has_perm(f"documents.{PERM_DOCUMENT}", document)
    if not _own_restriction_lets_in(role, document.restriction, bool(named)):
        return NOTHING
    ancestors = document.folder.ancestor_ids if document.folder_id else []
    lets_in, folder_trashed = _chain_lets_in(actor, document.group, ancestors)
    if not lets_in:
        return NOTHING
    animator = role >= Role.ANIMATOR
    if document.state != Document.State.READY and not (
        animator or document.created_by_id == actor.pk
    ):
        return NOTHING
    trashed = document.deleted_at is not None or folder_trashed
    if trashed:
        if not animator:
            return NOTHING
        writable = not document.group.is_archived
        return Abilities(
            view=True,
            download=document.current_version_id is not None,
            # Out of a trashed folder too: to the library's root (document_restore).
            restore=writable,
            in_trash=True,
        )
    writable = not document.group.is_archived and role >= Role.CONTRIBUTOR
    return Abilities(
        view=True,
        download=document.current_version_id is not None,
        add_version=writable,
        edit=writable,
        delete=writable and (animator or document.created_by_id == actor.pk),
        restrict=writable and animator,
    )


def version_downloadable(actor, document: Document, version: DocumentVersion) -> bool:
    """Whether actor may download this version of a document they may download from."""
    if version.document_id != document.pk:
        return False
    return version.state == DocumentVersion.State.READY


def folder_abilities(actor, folder: Folder | None, group: Group) -> Abilities:
    """What actor may do with folder (None: the library's root) of group."""
    role = library_role(actor, group)
    if role == Role.NONE:
        return NOTHING
    trashed = False
    if folder is not None:
        lets_in, trashed = _chain_lets_in(actor, group, folder.ancestor_ids)
        if not lets_in:
            return NOTHING
    animator = role >= Role.ANIMATOR
    writable = not group.is_archived and role >= Role.CONTRIBUTOR
    if trashed:
        if not animator:
            return NOTHING
        return Abilities(
            view=True,
            restore=not group.is_archived and folder.deleted_at is not None,
            in_trash=True,
        )
    return Abilities(
        view=True,
        upload=writable,
        create_folder=writable,
        edit=writable and folder is not None,
        delete=writable and folder is not None and (animator or folder.created_by_id == actor.pk),
        restrict=writable and animator and folder is not None,
    )


def _as_id(value) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < pk < 2**63:
        raise Http404
    return pk


def access_document(actor, document_id, *, for_write: bool = False, trashed: bool = False):
    """The document and actor's abilities on it; 404 when actor may not see it.

    for_write: also 404 unless actor may edit it (a reader learns nothing from a
    different answer). trashed: a trashed document is reachable (the animators' trash).
    """
    pk = _as_id(document_id)
    if not is_active_agent(actor):
        raise Http404
    document = (
        Document.objects.select_related("group", "folder", "current_version", "created_by")
        .annotate(named_for_actor=_named(DocumentUserObjectPermission, actor, PERM_DOCUMENT))
        .filter(pk=pk)
        .first()
    )
    if document is None:
        raise Http404
    abilities = document_abilities(actor, document)
    if not abilities.view or (for_write and not abilities.edit):
        raise Http404
    if abilities.in_trash and not trashed:
        raise Http404
    document.abilities = abilities
    return document


def access_folder(actor, group: Group, folder_id, *, trashed: bool = False) -> Folder:
    """The folder of group and actor's abilities on it (folder.abilities); 404 otherwise."""
    pk = _as_id(folder_id)
    folder = Folder.objects.filter(pk=pk, group=group).first()
    if folder is None:
        raise Http404
    abilities = folder_abilities(actor, folder, group)
    if not abilities.view:
        raise Http404
    if abilities.in_trash and not trashed:
        raise Http404
    folder.abilities = abilities
    return folder


def can_manage_trash(actor, group: Group) -> bool:
    return library_role(actor, group) >= Role.ANIMATOR and not group.is_archived


def can_see_usage(actor, group: Group) -> bool:
    return library_role(actor, group) >= Role.ANIMATOR


def can_set_quota(actor) -> bool:
    return is_active_agent(actor) and actor.is_staff


def documents_restricted_from(agent) -> QuerySet[Document]:
    """Documents a restriction keeps agent out of (their own or a folder above), whatever
    agent's activity or memberships: what an export of agent's uploads leaves out.

    Unlike visible_documents, it holds for a deactivated agent too (staff export a
    leaver's data), so animators are read from guardian without the activity check.
    """
    if agent.is_staff:
        return Document.objects.none()
    animated = GroupUserObjectPermission.objects.filter(
        user_id=agent.pk, permission__codename="moderate_group"
    ).values("content_object_id")
    folder_keeps_out = Q(restriction=Restriction.ANIMATORS) | (
        Q(restriction=Restriction.NAMED) & ~_named(FolderUserObjectPermission, agent, PERM_FOLDER)
    )
    folders_above = (
        Folder.objects.filter(group_id=OuterRef("group_id"))
        .annotate(prefix=Left(OuterRef("folder__path"), Length("path")))
        .filter(folder_keeps_out, path=F("prefix"))
    )
    return Document.objects.exclude(group_id__in=animated).filter(
        Q(restriction=Restriction.ANIMATORS)
        | (
            Q(restriction=Restriction.NAMED)
            & ~_named(DocumentUserObjectPermission, agent, PERM_DOCUMENT)
        )
        | Q(Exists(folders_above))
    )


MAX_BLOCKED_FOLDERS = 50


def group_documents_q(actor, group: Group, *, prefix: str = "") -> Q | None:
    """A Q on documents (through `prefix`, "document__" from versions) saying which of
    group's documents actor may see: visible_documents(actor).filter(group=group), with
    the folders that keep actor out read first (one small query) instead of a subquery
    per document, which PostgreSQL ran as a semi-join over the whole library (1.2 s
    for a group page with 10,000 documents). None when more than MAX_BLOCKED_FOLDERS
    folders keep actor out: the caller uses visible_documents then."""
    role = library_role(actor, group)
    if role == Role.NONE:
        return Q(pk__in=[])
    animator = role >= Role.ANIMATOR
    keeps_out = Q(deleted_at__isnull=False)
    if not animator:
        named_folders = FolderUserObjectPermission.objects.filter(
            user_id=actor.pk, permission__codename=PERM_FOLDER
        ).values("content_object_id")
        keeps_out |= Q(restriction=Restriction.ANIMATORS) | (
            Q(restriction=Restriction.NAMED) & ~Q(pk__in=named_folders)
        )
    paths = list(
        Folder.objects.filter(keeps_out, group=group).values_list("path", flat=True)[
            : MAX_BLOCKED_FOLDERS + 1
        ]
    )
    if len(paths) > MAX_BLOCKED_FOLDERS:
        return None
    q = Q(**{f"{prefix}group_id": group.pk, f"{prefix}deleted_at__isnull": True})
    for path in paths:
        q &= ~Q(**{f"{prefix}folder__path__startswith": path})
    if not animator:
        named = DocumentUserObjectPermission.objects.filter(
            user_id=actor.pk, permission__codename=PERM_DOCUMENT, content_object__group=group
        ).values_list("content_object_id", flat=True)
        q &= Q(**{f"{prefix}restriction": Restriction.GROUP}) | Q(
            **{f"{prefix}restriction": Restriction.NAMED, f"{prefix}pk__in": list(named)}
        )
        q &= Q(**{f"{prefix}state": Document.State.READY}) | Q(
            **{f"{prefix}created_by_id": actor.pk}
        )
    return q
