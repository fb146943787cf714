"""Site-wide endpoints: the theme stylesheet, the logo and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from intranet.core.branding import current_branding
from intranet.core.health import site_health
from intranet.core.models import Branding


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
