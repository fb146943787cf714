"""Sign-in and sign-out pages (Django's views with our form and templates)."""

from django.contrib.auth import views as auth_views

from intranet.accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
