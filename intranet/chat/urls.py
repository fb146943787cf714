from django.urls import path

from intranet.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.chat_index, name="chat-index"),
    path("counts/", views.chat_counts, name="chat-counts"),
    path("direct/", views.conversation_start_direct, name="conversation-start-direct"),
    path("new/", views.conversation_create, name="conversation-create"),
    path("group/<slug:slug>/", views.group_room, name="group-room"),
    path("<int:pk>/", views.conversation_detail, name="conversation-detail"),
    path("<int:pk>/send/", views.message_send, name="message-send"),
    path("<int:pk>/messages/", views.message_history, name="message-history"),
    path("<int:pk>/cards/", views.message_cards, name="message-cards"),
    path("files/<int:message_id>/", views.attachment_download, name="attachment"),
]
