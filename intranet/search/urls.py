from django.urls import path

from intranet.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_results, name="search-results"),
    path("suggest/", views.search_suggest, name="search-suggest"),
]
