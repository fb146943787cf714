from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from intranet.accounts import views
from intranet.accounts.second_factor import second_factor_exempt

app_name = "accounts"
urlpatterns = [
    path("settings/", views.agent_settings, name="agent-settings"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", second_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path("second-factor/", views.otp_verify, name="otp-verify"),
    path("second-factor/enrol/", views.otp_enrol, name="otp-enrol"),
    path(
        "password-reset/",
        views.PasswordResetRequestView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password-reset-done"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.PasswordResetSetView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
]
