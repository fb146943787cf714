from django.urls import path

from intranet.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.network_detail, name="network"),
    path("silos/", views.silo_detail, name="silos"),
    path("silos/<int:department_id>/", views.silo_detail, name="silos-department"),
    path("groups/<slug:slug>/", views.group_detail, name="group"),
]
