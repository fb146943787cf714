from django.urls import path

from intranet.documents import views

app_name = "documents"
urlpatterns = [
    path("groups/<slug:slug>/documents/", views.library, name="library"),
    path("groups/<slug:slug>/documents/upload/", views.upload, name="upload"),
    path("groups/<slug:slug>/documents/folders/new/", views.folder_create, name="folder-create"),
    path("groups/<slug:slug>/documents/folders/<int:folder_id>/", views.library, name="folder"),
    path(
        "groups/<slug:slug>/documents/folders/<int:folder_id>/settings/",
        views.folder_settings,
        name="folder-settings",
    ),
    path(
        "groups/<slug:slug>/documents/folders/<int:folder_id>/<slug:action>/",
        views.folder_action,
        name="folder-action",
    ),
    path("groups/<slug:slug>/documents/trash/", views.trash, name="trash"),
    path("groups/<slug:slug>/documents/quota/", views.quota, name="quota"),
    path("documents/<int:document_id>/", views.document_detail, name="document-detail"),
    path("documents/<int:document_id>/file/", views.document_file, name="document-file"),
    path("documents/<int:document_id>/preview/", views.document_preview, name="document-preview"),
    path("documents/<int:document_id>/versions/", views.version_add, name="version-add"),
    path(
        "documents/<int:document_id>/versions/<int:number>/file/",
        views.document_file,
        name="version-file",
    ),
    path(
        "documents/<int:document_id>/versions/<int:number>/restore/",
        views.version_restore,
        name="version-restore",
    ),
    path(
        "documents/<int:document_id>/<slug:action>/",
        views.document_action,
        name="document-action",
    ),
]
