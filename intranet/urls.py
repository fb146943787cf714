"""Transverse's URLs."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from intranet.core import views as core_views
from intranet.stream import views as stream_views

admin.site.site_header = "Transverse"

urlpatterns = [
    path("", stream_views.home, name="home"),
    path("", include("intranet.stream.urls")),
    path("", include("intranet.moderation.urls")),
    path("groups/", include("intranet.groups.urls")),
    path("topics/", include("intranet.topics.urls")),
    path("notifications/", include("intranet.notifications.urls")),
    path("accounts/", include("intranet.accounts.urls")),
    path("people/", include("intranet.people.urls")),
    path("departments/", include("intranet.departments.urls")),
    path("search/", include("intranet.search.urls")),
    path("chat/", include("intranet.chat.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("theme.css", core_views.theme_css, name="theme-css"),
    path("logo", core_views.logo, name="logo"),
    path("healthz", core_views.health, name="health"),
    path("admin/", admin.site.urls),
]
