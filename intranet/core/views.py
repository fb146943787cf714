"""Site-wide endpoints: the theme stylesheet, the logo, the health check, the public site
pages (accessibility, legal notice, personal data) and what makes the site installable
(the web app manifest, the service worker and its offline page)."""

import json
from functools import lru_cache

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from intranet.core.branding import current_branding
from intranet.core.health import site_health
from intranet.core.markdown import render_markdown
from intranet.core.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from intranet.core.metrics import scrape, scrape_allowed
from intranet.core.models import Branding
from intranet.core.site_pages import site_page_get

# What the service worker keeps for offline use: the shell (the offline page) and the
# static files every page loads. Never a page with an agent's data, never another host.
SHELL_FILES = (
    "transverse/transverse.css",
    "transverse/social.css",
    "transverse/dark.css",
    "transverse/transverse.js",
    "transverse/install.js",
    "transverse/favicon.svg",
    "transverse/icon-192.png",
)


@login_not_required
@require_GET
@cache_control(public=True, max_age=300)
def theme_css(request):
    """The organisation's colours as CSS variables (a file, so the CSP needs no inline style)."""
    branding = current_branding()
    css = f":root{{--primary:{branding.primary_color};--on-primary:{branding.text_on_primary};}}\n"
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@login_not_required
@require_GET
@cache_control(public=True, max_age=300)
def logo(request):
    row = Branding.objects.first()
    if row is None or not row.logo:
        raise Http404
    response = FileResponse(row.logo.open("rb"), content_type="image/png")
    response["Content-Type"] = _image_type(row.logo.name)
    return response


def _image_type(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith((".jpg", ".jpeg")):
        return "image/jpeg"
    if lowered.endswith(".webp"):
        return "image/webp"
    return "image/png"


@login_not_required
@require_GET
def health(request):
    """For load balancers (200 when the database answers, else 503) and monitoring (the
    body says "degraded" with Redis unreachable or the worker late)."""
    answer, status = site_health()
    return JsonResponse(answer, status=status)


@login_not_required
@require_GET
def metrics(request):
    """Prometheus's scrape: for allowed addresses or the bearer token only, a 404 for
    anyone else (as if it did not exist). See docs/deploy.md, "Metrics and alerts"."""
    if not scrape_allowed(request):
        raise Http404
    return HttpResponse(scrape(), content_type=METRICS_CONTENT_TYPE)


@lru_cache(maxsize=32)
def _site_page_body(source: str):
    """A site page's HTML, rendered once per process for each text (a handful of pages,
    read on every visit to them; a changed text is another key)."""
    return render_markdown(source)


@login_not_required
@require_GET
def site_page(request, slug):
    """A public page written by staff in the admin, in the agent's language."""
    page = site_page_get(slug)
    if page is None:
        raise Http404
    language = get_language() or "fr"
    context = {
        "page": page,
        "title": page.title_in(language),
        "body": _site_page_body(page.body_in(language)),
    }
    return render(request, "core/site_page.html", context)


@login_not_required
@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request):
    """The web app manifest: the organisation's name, its colour and the site's icons."""
    branding = current_branding()
    answer = {
        "name": branding.name,
        "short_name": branding.name[:12],
        "description": _("The internal social network of your administration."),
        "lang": get_language() or "fr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f5f7",
        "theme_color": branding.primary_color,
        "icons": [
            {"src": static("transverse/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("transverse/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("transverse/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@login_not_required
@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, from the site's root so that its scope is the whole site."""
    context = {
        "shell": json.dumps([reverse("offline"), *(static(name) for name in SHELL_FILES)]),
        "offline_url": json.dumps(reverse("offline")),
        "static_prefix": json.dumps(static("")),
        "version": json.dumps(current_branding().version),
    }
    response = render(request, "core/service_worker.js", context, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@login_not_required
@require_GET
def offline(request):
    """What the service worker shows when the network is away: no agent's data in it."""
    return render(request, "core/offline.html")
