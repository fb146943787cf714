"""The site's URLs plus a bare "hello" view: the baseline of the feed benchmark."""

from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("bench-hello/", hello), path("", include("intranet.urls"))]
