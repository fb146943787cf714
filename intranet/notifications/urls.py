from django.urls import path

from intranet.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read/", views.notification_read_all, name="notification-read-all"),
    path("settings/", views.notification_settings, name="notification-settings"),
    path("<int:notification_id>/", views.notification_open, name="notification-open"),
]
