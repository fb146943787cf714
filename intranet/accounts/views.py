"""Sign-in and sign-out pages (Django's views with our form and templates), and the language
switch, which remembers a signed-in agent's choice."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.utils import translation
from django.views.i18n import set_language

from intranet.accounts.forms import SignInForm
from intranet.accounts.services import agent_language_set


def set_language_cookie(response, language: str) -> None:
    """The cookie LocaleMiddleware reads, with the attributes Django's set_language gives it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        # The ProConnect button (intranet/proconnect), shown only when it is configured.
        return super().get_context_data(
            proconnect=getattr(settings, "TRANSVERSE_PROCONNECT", False), **kwargs
        )

    def form_valid(self, form):
        response = super().form_valid(form)
        agent = form.get_user()
        if agent.language:  # blank: keep the language of the browser (or the site's)
            set_language_cookie(response, agent.preferred_language)
        return response


@login_not_required
def language_switch(request):
    """Django's set_language (its checks and its safe "next"), then remember a signed-in
    agent's choice when the switch accepted it."""
    response = set_language(request)
    accepted = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if accepted is not None and request.user.is_authenticated:
        try:  # set_language accepts variants such as "en-gb": store the offered language
            language = translation.get_supported_language_variant(accepted.value)
        except LookupError:
            return response
        agent_language_set(request.user, language=language)
    return response
