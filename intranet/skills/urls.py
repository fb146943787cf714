"""Skill pages, mounted at the site's root so that they keep the paths they had before
skills had an app of their own: an agent's claims under their profile (/people/<login>/
skills/), staff curation beside the themes it feeds (/experts/skills/)."""

from django.urls import path

from intranet.skills import views

app_name = "skills"
urlpatterns = [
    path("people/<str:username>/skills/", views.skill_claims_manage, name="skill-claims"),
    path(
        "people/<str:username>/skills/<int:pk>/",
        views.skill_claim_update,
        name="skill-claim-update",
    ),
    path(
        "people/<str:username>/skills/<int:pk>/endorse/",
        views.skill_claim_endorse,
        name="skill-claim-endorse",
    ),
    path("experts/skills/", views.skill_list, name="skill-list"),
    path("experts/skills/new/", views.skill_create, name="skill-create"),
    path("experts/skills/<int:pk>/", views.skill_edit, name="skill-edit"),
    path("experts/skills/<int:pk>/merge/", views.skill_merge, name="skill-merge"),
]
