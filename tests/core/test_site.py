"""Site-wide behaviour: security headers, CSP, branding, health, demo data."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intranet.accounts.models import User
from intranet.core.models import Branding
from intranet.departments.models import Department


def test_every_response_has_a_strict_csp(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_load_nothing_from_other_hosts(alice_client):
    html = alice_client.get("/").content.decode()
    for marker in ("http://", "https://", "//fonts", "cdn"):
        assert marker not in html.replace('xmlns="http://www.w3.org', "")


def test_no_inline_script_or_style_in_pages(alice_client):
    html = alice_client.get("/people/alice/").content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html


def test_theme_css_uses_the_organisation_colour_with_readable_text(client, db):
    Branding.objects.create(name="Région Exemple", primary_color="#f5d000")
    css = client.get("/theme.css").content.decode()
    assert "--primary:#f5d000" in css and "--on-primary:#000000" in css
    Branding.objects.update(primary_color="#123456")
    from intranet.core.branding import forget_branding

    forget_branding()
    assert "--on-primary:#ffffff" in client.get("/theme.css").content.decode()


def test_branding_name_shows_in_pages(client, db):
    Branding.objects.create(name="Commune de Saint-Exemple", primary_color="#123456")
    assert "Commune de Saint-Exemple" in client.get("/accounts/login/").content.decode()


def test_branding_colour_is_validated(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Branding(name="x", primary_color="red;}").full_clean()


def test_logo_is_404_until_set(client, db):
    assert client.get("/logo").status_code == 404


def test_seed_demo_refuses_outside_demo_mode(settings, db):
    settings.TRANSVERSE_DEMO = False
    with pytest.raises(CommandError, match="TRANSVERSE_DEMO"):
        call_command("seed_demo", no_progress=True)


def test_seed_demo_builds_a_realistic_organisation_once(settings, db):
    settings.TRANSVERSE_DEMO = True
    call_command("seed_demo", no_progress=True)
    call_command("seed_demo", no_progress=True)
    assert User.objects.filter(is_superuser=True).count() == 1
    assert 55 <= User.objects.count() <= 70
    assert Department.objects.count() >= 6
    assert Department.objects.filter(depth=2).exists()
    names = " ".join(User.objects.values_list("last_name", flat=True))
    assert "'" in names and "-" in names and any(ch in names for ch in "éèëç")
    amartin = User.objects.get(username="amartin")
    assert amartin.check_password("transverse-demo") and amartin.title and amartin.phone
    assert amartin.skill_claims.exists()


def test_seed_generated_is_deterministic_and_bulk(settings, db):
    settings.TRANSVERSE_DEMO = True
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        call_command(
            "seed_demo", agents=50, departments=12, seed=8, no_progress=True, no_content=True
        )
    with CaptureQueriesContext(connection) as large:
        call_command(
            "seed_demo", agents=500, departments=12, seed=7, no_progress=True, no_content=True
        )
    assert len(large) <= len(small) + 20  # 450 more agents, a few more batches, not 450 queries
    User.objects.filter(username__startswith="gen8.").delete()
    first = list(User.objects.order_by("username").values_list("username", "last_name")[:20])
    assert User.objects.count() == 500 and Department.objects.count() == 24
    call_command("seed_demo", agents=500, seed=7, no_progress=True, no_content=True)
    assert User.objects.count() == 500
    assert first[0][0] == "gen7.000000"


def test_wsgi_entry_point_serves_the_pages(transactional_db):
    """intranet.wsgi:application, for a WSGI server in front of the pages."""
    import io
    from wsgiref.util import setup_testing_defaults

    from intranet.wsgi import application

    environ = {"PATH_INFO": "/healthz", "HTTP_HOST": "localhost"}
    setup_testing_defaults(environ)
    environ["wsgi.input"] = io.BytesIO()
    answered = []
    body = b"".join(application(environ, lambda status, headers: answered.append(status)))
    assert answered == ["200 OK"] and b'"ok"' in body


def test_branding_is_read_once_per_request_and_forgotten_on_change(db, monkeypatch):
    """The site context processor runs for every template rendered with the request (a
    feed's twenty articles): the branding is read from the cache once per request."""
    from django.core.cache import cache

    from intranet.core import branding
    from intranet.core.request_cache import RequestCacheMiddleware

    reads = []

    class CountingCache:
        def get(self, key, *args):
            reads.append(key)
            return cache.get(key, *args)

        def __getattr__(self, name):
            return getattr(cache, name)

    monkeypatch.setattr(branding, "cache", CountingCache())
    Branding.objects.create(name="Région Exemple", primary_color="#123456")
    branding.forget_branding()

    def page(request):
        names = [branding.current_branding().name for _ in range(20)]
        Branding.objects.update(name="Région Renommée")
        branding.forget_branding()
        return [*names, branding.current_branding().name]

    names = RequestCacheMiddleware(page)(None)
    assert names == ["Région Exemple"] * 20 + ["Région Renommée"]
    assert len(reads) == 2  # once, then once again after the change
    assert branding.current_branding().name == "Région Renommée"
