from django.urls import path

from intranet.topics import views

app_name = "topics"
urlpatterns = [
    path("<str:key>/", views.topic_detail, name="topic-detail"),
    path("<str:key>/follow/", views.topic_follow_toggle, name="topic-follow"),
]
