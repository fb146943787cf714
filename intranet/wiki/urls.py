from django.urls import path

from intranet.wiki import views

app_name = "wiki"
urlpatterns = [
    path("<slug:slug>/wiki/", views.page_index, name="page-index"),
    path("<slug:slug>/wiki/new/", views.page_create, name="page-create"),
    path("<slug:slug>/wiki/<slug:page_slug>/", views.page_detail, name="page-detail"),
    path("<slug:slug>/wiki/<slug:page_slug>/edit/", views.page_edit, name="page-edit"),
    path("<slug:slug>/wiki/<slug:page_slug>/history/", views.page_history, name="page-history"),
    path("<slug:slug>/wiki/<slug:page_slug>/diff/", views.page_diff, name="page-diff"),
    path(
        "<slug:slug>/wiki/<slug:page_slug>/versions/<int:number>/restore/",
        views.page_restore,
        name="page-restore",
    ),
]
