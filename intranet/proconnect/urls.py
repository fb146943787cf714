from django.urls import path

from intranet.proconnect import views

app_name = "proconnect"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("callback/", views.callback, name="callback"),
    path("refused/", views.refused, name="refused"),
]
