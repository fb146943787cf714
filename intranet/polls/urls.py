from django.urls import path

from intranet.polls import views

app_name = "polls"

urlpatterns = [
    path("groups/<slug:slug>/polls/", views.poll_list, name="poll-list"),
    path("groups/<slug:slug>/polls/<int:poll_id>/", views.poll_detail, name="poll-detail"),
    path("groups/<slug:slug>/polls/<int:poll_id>/vote", views.poll_vote, name="poll-vote"),
]
