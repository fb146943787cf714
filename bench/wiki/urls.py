"""The site's URLs plus a bare "hello" view: the page baseline of the wiki benchmark."""

from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("bench-hello/", hello), path("", include("intranet.urls"))]
