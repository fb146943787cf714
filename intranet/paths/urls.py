from django.urls import path

from intranet.paths import views

app_name = "paths"

P = "groups/<slug:slug>/paths/<int:path_id>/"

urlpatterns = [
    path("groups/<slug:slug>/paths/", views.path_list, name="path-list"),
    path(P, views.path_detail, name="path-detail"),
    path(P + "edit/", views.path_edit, name="path-edit"),
    path(P + "progress/", views.path_progress, name="path-progress"),
    path(P + "steps/new/", views.step_add, name="step-add"),
    path(P + "steps/<int:step_id>/edit/", views.step_edit, name="step-edit"),
    path(P + "steps/<int:step_id>/move", views.step_move, name="step-move"),
    path(P + "steps/<int:step_id>/remove", views.step_remove, name="step-remove"),
    path(P + "steps/<int:step_id>/progress", views.step_progress, name="step-progress"),
    path(P + "cohorts/", views.cohort_list, name="cohort-list"),
    path(P + "cohorts/<int:cohort_id>/", views.cohort_edit, name="cohort-edit"),
]
