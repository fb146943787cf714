"""The core's public pages: site pages, the manifest, the service worker, offline."""

from django.urls import path

from intranet.core import views

urlpatterns = [
    path("about/<slug:slug>/", views.site_page, name="site-page"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("offline/", views.offline, name="offline"),
]
