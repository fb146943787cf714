"""Reads the organisation's branding, with the settings as defaults, cached briefly."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from intranet.core.models import Branding
from intranet.core.request_cache import request_cache_forget, request_cached

CACHE_KEY = "transverse:branding:v1"


@dataclass(frozen=True)
class SiteBranding:
    name: str
    primary_color: str
    has_logo: bool
    version: str

    @property
    def text_on_primary(self) -> str:
        """Black or white, whichever contrasts more with the main colour (WCAG luminance)."""
        channels = [int(self.primary_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def current_branding() -> SiteBranding:
    """The branding, read once per request: the site context processor runs for every
    template rendered with the request (a feed's articles, say: twenty a page), and each
    read was a round trip to the cache."""
    return request_cached(CACHE_KEY, _read_branding)


def _read_branding() -> SiteBranding:
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    row = Branding.objects.first()
    if row is None:
        value = SiteBranding(
            settings.TRANSVERSE_ORG_NAME, settings.TRANSVERSE_PRIMARY_COLOR, False, "0"
        )
    else:
        value = SiteBranding(
            row.name, row.primary_color, bool(row.logo), str(int(row.updated_at.timestamp()))
        )
    cache.set(CACHE_KEY, value, 60)
    return value


def forget_branding() -> None:
    cache.delete(CACHE_KEY)
    request_cache_forget(CACHE_KEY)
