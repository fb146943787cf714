"""The library pages, the document page and the file responses.

Every view authorises through intranet.documents.access first (404 for what the agent
may not see), then calls a service; every file response goes through serving.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from intranet.documents import forms, previews, selectors, services, serving
from intranet.documents.access import (
    NOTHING,
    access_document,
    access_folder,
    can_manage_trash,
    can_see_usage,
    can_set_quota,
    folder_abilities,
)
from intranet.documents.uploads import install_handler, request_too_large
from intranet.groups.access import access_group

PAGE_SIZE = 50  # documents per page of a folder (its sub-folders all come first)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _library_group(request, slug):
    group = access_group(request.user, slug)
    if folder_abilities(request.user, None, group) == NOTHING:
        raise Http404
    return group


def _folder_or_root(request, group, folder_id):
    if folder_id in (None, "", "0", 0):
        return None
    return access_folder(request.user, group, folder_id)


def _library_url(group, folder=None) -> str:
    if folder is None:
        return reverse("documents:library", args=[group.slug])
    return reverse("documents:folder", args=[group.slug, folder.pk])


@require_GET
def library(request, slug, folder_id=None):
    group = _library_group(request, slug)
    folder = _folder_or_root(request, group, folder_id)
    folders, documents = selectors.folder_listing(request.user, group, folder)
    documents = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "group": group,
        "folder": folder,
        "abilities": folder_abilities(request.user, folder, group),
        "breadcrumbs": selectors.folder_breadcrumbs(folder),
        "folders": folders,
        "documents": documents,
        "folder_form": forms.FolderForm(),
        "max_bytes": services.max_bytes(),
        "can_manage_trash": can_manage_trash(request.user, group),
    }
    if can_see_usage(request.user, group):
        context["used"], context["quota"] = services.library_usage(group)
        context["can_set_quota"] = can_set_quota(request.user)
    return render(request, "documents/library.html", context)


def _upload_results(request, group, folder, files, handler) -> tuple[list, list]:
    batch = _batch(request.POST.get("batch"))
    done, errors = [], []
    for name in handler.too_large:
        errors.append({"name": name, "message": services.too_large_message()})
    for upload in files:
        try:
            document = services.document_upload(
                request.user, group=group, folder=folder, upload=upload, batch=batch
            )
        except ValidationError as exc:
            errors.append({"name": upload.name, "message": " ".join(exc.messages)})
            continue
        url = reverse("documents:document-detail", args=[document.pk])
        done.append({"id": document.pk, "name": document.name, "url": url})
    return done, errors


def _batch(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.uuid4()


@csrf_exempt
def upload(request, slug):
    """Several files at once (the page's script sends them one per request)."""
    if request.method != "POST":
        return JsonResponse({"error": {"message": _("Send the files with POST.")}}, status=405)
    if request_too_large(request, services.max_bytes()):
        message = services.too_large_message()
        if _wants_json(request):
            return JsonResponse({"error": {"code": "too_large", "message": message}}, status=413)
        back = reverse("documents:library", args=[slug])
        context = {"message": message, "back": back}
        return render(request, "documents/upload_refused.html", context, status=413)
    handler = install_handler(request, services.max_bytes())
    return _upload(request, slug, handler)


@csrf_protect
def _upload(request, slug, handler):
    group = _library_group(request, slug)
    folder = _folder_or_root(request, group, request.POST.get("folder"))
    done, errors = _upload_results(request, group, folder, request.FILES.getlist("files"), handler)
    if _wants_json(request):
        status = 200 if done or not errors else 400
        return JsonResponse({"documents": done, "errors": errors}, status=status)
    for item in done:
        messages.success(request, _("%(name)s was added.") % {"name": item["name"]})
    for error in errors:
        messages.error(request, f"{error['name']}: {error['message']}")
    if not done and not errors:
        messages.error(request, _("Choose at least one file."))
    return HttpResponseRedirect(_library_url(group, folder))


@require_POST
def folder_create(request, slug):
    group = _library_group(request, slug)
    parent = _folder_or_root(request, group, request.POST.get("parent"))
    form = forms.FolderForm(request.POST)
    if form.is_valid():
        try:
            folder = services.folder_create(
                request.user, group=group, parent=parent, name=form.cleaned_data["name"]
            )
            return redirect(_library_url(group, folder))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the folder a name."))
    return redirect(_library_url(group, parent))


@require_GET
def folder_settings(request, slug, folder_id):
    group = _library_group(request, slug)
    folder = access_folder(request.user, group, folder_id)
    if not (folder.abilities.edit or folder.abilities.restrict):
        raise PermissionDenied
    context = {
        "group": group,
        "folder": folder,
        "breadcrumbs": selectors.folder_breadcrumbs(folder),
        "rename_form": forms.RenameForm(initial={"name": folder.name}),
        "move_form": _move_form(request, group, exclude=folder),
        "restrict_form": forms.RestrictForm(
            initial={
                "restriction": folder.restriction,
                "agents": ", ".join(selectors.named_logins(folder)),
            }
        ),
    }
    return render(request, "documents/folder_settings.html", context)


def _move_form(request, group, *, exclude=None, data=None):
    folders = selectors.folder_choices(request.user, group)
    if exclude is not None:
        folders = [f for f in folders if not f.path.startswith(exclude.path)]
    return forms.MoveForm(data, folders=folders)


@require_POST
def folder_action(request, slug, folder_id, action):
    group = _library_group(request, slug)
    trashed = action == "restore"
    folder = access_folder(request.user, group, folder_id, trashed=trashed)
    back = _library_url(group, folder)
    try:
        back = _folder_action(request, group, folder, action) or back
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(back)


def _folder_action(request, group, folder, action):
    user = request.user
    if action == "rename":
        form = forms.RenameForm(request.POST)
        if form.is_valid():
            services.folder_rename(user, folder, name=form.cleaned_data["name"])
    elif action == "move":
        form = _move_form(request, group, exclude=folder, data=request.POST)
        if form.is_valid():
            target = _folder_or_root(request, group, form.cleaned_data["folder"])
            services.folder_move(user, folder, parent=target)
    elif action == "restrict":
        _restrict(request, folder, services.folder_restrict)
    elif action == "delete":
        services.folder_delete(user, folder)
        messages.success(request, _("The folder is in the trash."))
        return _library_url(group, folder.parent if folder.parent_id else None)
    elif action == "restore":
        services.folder_restore(user, folder)
        messages.success(request, _("The folder was restored."))
    else:
        raise Http404
    return None


def _restrict(request, obj, service):
    form = forms.RestrictForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose who may see it."))
    agents = selectors.agents_by_logins(form.cleaned_data["agents"])
    service(request.user, obj, restriction=form.cleaned_data["restriction"], agents=agents)
    messages.success(request, _("Who may see it was changed."))


@require_GET
def trash(request, slug):
    group = _library_group(request, slug)
    if not can_manage_trash(request.user, group):
        raise Http404
    folders, documents = selectors.trash_listing(request.user, group)
    context = {"group": group, "trashed_folders": folders, "trashed_documents": documents}
    return render(request, "documents/trash.html", context)


@require_POST
def quota(request, slug):
    group = _library_group(request, slug)
    form = forms.QuotaForm(request.POST)
    if not can_set_quota(request.user) or not form.is_valid():
        raise PermissionDenied
    megabytes = form.cleaned_data["quota_mb"]
    quota_bytes = None if megabytes is None else megabytes * 1024 * 1024
    services.library_quota_set(request.user, group, quota_bytes=quota_bytes)
    messages.success(request, _("The quota was changed."))
    return redirect(_library_url(group))


@require_GET
def document_detail(request, document_id):
    document = access_document(request.user, document_id, trashed=True)
    group = document.group
    version = document.current_version
    context = {
        "group": group,
        "document": document,
        "abilities": document.abilities,
        "breadcrumbs": selectors.folder_breadcrumbs(document.folder),
        "versions": selectors.document_versions(request.user, document),
        "preview": previews.preview_for(version) if version else None,
        "version_form": forms.VersionForm(),
        "rename_form": forms.RenameForm(initial={"name": document.name}),
        "describe_form": forms.DescribeForm(initial={"description": document.description}),
        "max_bytes": services.max_bytes(),
    }
    if document.abilities.edit:
        context["move_form"] = _move_form(request, group)
    if document.abilities.restrict:
        context["restrict_form"] = forms.RestrictForm(
            initial={
                "restriction": document.restriction,
                "agents": ", ".join(selectors.named_logins(document)),
            }
        )
    return render(request, "documents/document_detail.html", context)


@require_POST
def document_action(request, document_id, action):
    document = access_document(request.user, document_id, trashed=action == "restore")
    try:
        back = _document_action(request, document, action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        back = None
    return redirect(back or reverse("documents:document-detail", args=[document.pk]))


def _document_action(request, document, action):
    user = request.user
    if action == "rename":
        form = forms.RenameForm(request.POST)
        if form.is_valid():
            services.document_rename(user, document, name=form.cleaned_data["name"])
    elif action == "describe":
        form = forms.DescribeForm(request.POST)
        if form.is_valid():
            services.document_describe(user, document, description=form.cleaned_data["description"])
    elif action == "move":
        form = _move_form(request, document.group, data=request.POST)
        if form.is_valid():
            target = _folder_or_root(request, document.group, form.cleaned_data["folder"])
            services.document_move(user, document, folder=target)
    elif action == "restrict":
        _restrict(request, document, services.document_restrict)
    elif action == "delete":
        services.document_delete(user, document)
        messages.success(request, _("%(name)s is in the trash.") % {"name": document.name})
        return _library_url(document.group, document.folder)
    elif action == "restore":
        services.document_restore(user, document)
        if document.moved_to_root:
            message = _(
                "%(name)s was restored to the library’s root: its folder is still in the trash."
            )
        else:
            message = _("%(name)s was restored.")
        messages.success(request, message % {"name": document.name})
    else:
        raise Http404
    return None


@csrf_exempt
def version_add(request, document_id):
    if request.method != "POST":
        raise Http404
    if request_too_large(request, services.max_bytes()):
        message = services.too_large_message()
        if _wants_json(request):
            return JsonResponse({"error": {"code": "too_large", "message": message}}, status=413)
        back = reverse("documents:document-detail", args=[document_id])
        context = {"message": message, "back": back}
        return render(request, "documents/upload_refused.html", context, status=413)
    handler = install_handler(request, services.max_bytes())
    return _version_add(request, document_id, handler)


@csrf_protect
def _version_add(request, document_id, handler):
    document = access_document(request.user, document_id)
    form = forms.VersionForm(request.POST)
    upload = request.FILES.get("file")
    try:
        if handler.too_large:
            raise ValidationError(services.too_large_message())
        if upload is None or not form.is_valid():
            raise ValidationError(_("Choose the file of the new version."))
        services.document_version_add(
            request.user, document, upload=upload, comment=form.cleaned_data["comment"]
        )
        messages.success(request, _("The new version is being analysed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("documents:document-detail", document.pk)


@require_POST
def version_restore(request, document_id, number):
    document = access_document(request.user, document_id)
    version = selectors.document_version(request.user, document, number)
    services.document_version_restore(request.user, document, version)
    messages.success(
        request, _("Version %(number)s is the current one again.") % {"number": number}
    )
    return redirect("documents:document-detail", document.pk)


@require_GET
def document_file(request, document_id, number=None):
    """The current version's file (or version number's): inline when safe, else attached."""
    document = access_document(request.user, document_id, trashed=True)
    if not document.abilities.download:
        raise Http404
    if number is None:
        version = document.current_version
    else:
        version = selectors.document_version(request.user, document, number)
    if version is None or version.state != version.State.READY:
        raise Http404
    inline = request.GET.get("download") != "1"
    name = _download_name(document, version)
    return serving.version_response(version, name=name, inline=inline, request=request)


def _download_name(document, version) -> str:
    """The document's name, with the version's extension when the name lost it."""
    extension = version.filename.rpartition(".")[2] if "." in version.filename else ""
    if extension and not document.name.lower().endswith("." + extension.lower()):
        return f"{document.name}.{extension}"
    return document.name


@require_GET
def document_preview(request, document_id):
    """The preview's bytes: a re-encoded image, or the PDF for the sandboxed frame."""
    document = access_document(request.user, document_id, trashed=True)
    version = document.current_version
    if not document.abilities.download or version is None:
        raise Http404
    name = _download_name(document, version)
    return previews.preview_response(document, version, name=name, request=request)
