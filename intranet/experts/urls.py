"""Experts pages: the finder, themes, coverage and ambassadors (skill curation: skills.urls)."""

from django.urls import path

from intranet.experts import views

app_name = "experts"
urlpatterns = [
    path("", views.expert_finder, name="expert-finder"),
    path("themes/", views.theme_list, name="theme-list"),
    path("themes/new/", views.theme_create, name="theme-create"),
    path("themes/<slug:slug>/", views.theme_detail, name="theme-detail"),
    path("themes/<slug:slug>/edit/", views.theme_edit, name="theme-edit"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.csv", views.coverage_csv, name="coverage-csv"),
    path("ambassadors/invite/", views.ambassador_invite, name="ambassador-invite"),
    path("ambassadors/invitations/", views.invitation_list, name="invitation-list"),
    path("ambassadors/<int:pk>/respond/", views.ambassador_respond, name="ambassador-respond"),
    path("ambassadors/<int:pk>/end/", views.ambassador_end, name="ambassador-end"),
]
