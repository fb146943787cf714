from django.urls import path

from intranet.moderation import views

app_name = "moderation"
urlpatterns = [
    path("report/", views.report_create, name="report-create"),
    path("moderation/", views.report_queue, name="report-queue"),
    path("moderation/<int:report_id>/", views.report_decide, name="report-decide"),
    path("charter/", views.charter, name="charter"),
    path("charter/edit/", views.charter_edit, name="charter-edit"),
]
