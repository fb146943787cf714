from django.urls import path

from intranet.proconnect import backchannel, views

app_name = "proconnect"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("callback/", views.callback, name="callback"),
    path("refused/", views.refused, name="refused"),
    path("backchannel-logout/", backchannel.backchannel_logout, name="backchannel-logout"),
]
