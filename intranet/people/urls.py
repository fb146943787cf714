"""People pages: the directory, profiles, profile editing and photos."""

from django.urls import path

from intranet.people import views

app_name = "people"
urlpatterns = [
    path("", views.agent_directory, name="agent-directory"),
    # No trailing slash: no login can take this path from the profiles below.
    path("suggestions.json", views.agent_suggestions, name="agent-suggestions"),
    path("<str:username>/", views.agent_detail, name="agent-detail"),
    path("<str:username>/edit/", views.profile_edit, name="profile-edit"),
    path("<str:username>/photo/", views.agent_photo, name="agent-photo"),
]
