from django.urls import path

from intranet.people import views

app_name = "people"
urlpatterns = [
    path("", views.agent_directory, name="agent-directory"),
    path("<str:username>/", views.agent_detail, name="agent-detail"),
    path("<str:username>/edit/", views.profile_edit, name="profile-edit"),
    path("<str:username>/photo/", views.agent_photo, name="agent-photo"),
    path("<str:username>/skills/", views.skill_claims_manage, name="skill-claims"),
    path("<str:username>/skills/<int:pk>/", views.skill_claim_update, name="skill-claim-update"),
    path(
        "<str:username>/skills/<int:pk>/endorse/",
        views.skill_claim_endorse,
        name="skill-claim-endorse",
    ),
]
