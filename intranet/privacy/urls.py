from django.urls import path

from intranet.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.my_data, name="my-data"),
    path("export/", views.export_request, name="export-request"),
    path("exports/<str:export_id>/download/", views.export_download, name="export-download"),
    path("agents/", views.leaver_list, name="leaver-list"),
    path("agents/<str:agent_id>/", views.agent_data, name="agent-data"),
    path("agents/<str:agent_id>/anonymise/", views.agent_anonymise, name="agent-anonymise"),
    path("agents/<str:agent_id>/erase/", views.agent_erase, name="agent-erase"),
]
