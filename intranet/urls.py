"""Transverse's URLs."""

from django.contrib import admin
from django.urls import include, path

from intranet.accounts import views as account_views
from intranet.core import views as core_views
from intranet.proconnect import views as proconnect_views
from intranet.stream import views as stream_views

admin.site.site_header = "Transverse"

urlpatterns = [
    path("", stream_views.home, name="home"),
    path("", include("intranet.stream.urls")),
    path("", include("intranet.moderation.urls")),
    path("", include("intranet.documents.urls")),  # /groups/<slug>/documents/, /documents/
    path("groups/", include("intranet.wiki.urls")),
    path("", include("intranet.events.urls")),  # /events/ and /groups/<slug>/events/
    path("groups/", include("intranet.groups.urls")),
    path("topics/", include("intranet.topics.urls")),
    path("notifications/", include("intranet.notifications.urls")),
    # Before accounts': after a ProConnect sign-in, signing out goes through ProConnect.
    path("accounts/logout/", proconnect_views.logout),
    path("accounts/", include("intranet.accounts.urls")),
    path("accounts/proconnect/", include("intranet.proconnect.urls")),
    path("", include("intranet.skills.urls")),  # under /people/ and /experts/
    path("people/", include("intranet.people.urls")),
    path("questions/", include("intranet.questions.urls")),
    path("experts/", include("intranet.experts.urls")),
    path("departments/", include("intranet.departments.urls")),
    path("search/", include("intranet.search.urls")),
    path("chat/", include("intranet.chat.urls")),
    path("dashboards/", include("intranet.dashboards.urls")),
    path("my-data/", include("intranet.privacy.urls")),
    path("", include("intranet.polls.urls")),  # /groups/<slug>/polls/
    path("", include("intranet.paths.urls")),  # /groups/<slug>/paths/
    path("i18n/setlang/", account_views.language_switch, name="set_language"),
    path("theme.css", core_views.theme_css, name="theme-css"),
    path("logo", core_views.logo, name="logo"),
    path("healthz", core_views.health, name="health"),
    path("metrics", core_views.metrics, name="metrics"),
    path("", include("intranet.core.urls")),  # site pages, manifest, service worker
    path("admin/", admin.site.urls),
]
