from django.urls import path

from intranet.stream import views

app_name = "stream"
urlpatterns = [
    path("welcome/", views.welcome, name="welcome"),
    path("posts/new/", views.post_create, name="post-create"),
    path("posts/<int:post_id>/", views.post_detail, name="post-detail"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post-edit"),
    path("posts/<int:post_id>/delete/", views.post_delete, name="post-delete"),
    path("posts/<int:post_id>/restore/", views.post_restore, name="post-restore"),
    path("posts/<int:post_id>/pin/", views.post_pin, name="post-pin"),
    path("posts/<int:post_id>/share/", views.post_share, name="post-share"),
    path("posts/<int:post_id>/acknowledge/", views.post_acknowledge, name="post-acknowledge"),
    path("posts/<int:post_id>/revisions/", views.post_revisions, name="post-revisions"),
    path("posts/<int:post_id>/image/", views.post_image, name="post-image"),
    path("posts/<int:post_id>/react/", views.react, name="post-react"),
    path("posts/<int:post_id>/comments/", views.comment_create, name="comment-create"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:comment_id>/delete/", views.comment_delete, name="comment-delete"),
    path("comments/<int:comment_id>/react/", views.react, name="comment-react"),
    path("follow/<str:username>/", views.follow, name="follow"),
    path("mentions/", views.mention_suggestions, name="mention-suggestions"),
]
