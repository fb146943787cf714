from django.urls import path

from intranet.groups import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="group-list"),
    path("new/", views.group_create, name="group-create"),
    path("invitations/", views.invitation_list, name="invitation-list"),
    path("invitations/<int:invitation_id>/", views.invitation_answer, name="invitation-answer"),
    path("<slug:slug>/", views.group_detail, name="group-detail"),
    path("<slug:slug>/about/", views.group_about, name="group-about"),
    path("<slug:slug>/edit/", views.group_edit, name="group-edit"),
    path("<slug:slug>/tools/", views.group_tools, name="group-tools"),
    path("<slug:slug>/image/", views.group_image, name="group-image"),
    path("<slug:slug>/members/", views.group_members, name="group-members"),
    path("<slug:slug>/join/", views.group_join, name="group-join"),
    path("<slug:slug>/request/", views.group_request, name="group-request"),
    path("<slug:slug>/leave/", views.group_leave, name="group-leave"),
    path("<slug:slug>/notify/", views.group_notify_toggle, name="group-notify"),
    path("<slug:slug>/invite/", views.group_invite, name="group-invite"),
    path("<slug:slug>/archive/", views.group_archive, name="group-archive"),
    path("<slug:slug>/official/", views.group_official, name="group-official"),
    path("<slug:slug>/requests/<int:request_id>/", views.request_decide, name="request-decide"),
    path("<slug:slug>/members/<str:username>/remove/", views.member_remove, name="member-remove"),
    path("<slug:slug>/members/<str:username>/role/", views.member_role, name="member-role"),
    path(
        "<slug:slug>/members/<str:username>/owner/",
        views.ownership_transfer,
        name="ownership-transfer",
    ),
]
