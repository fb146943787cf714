"""The public site pages (accessibility statement, legal notice, personal data), the web
app manifest, the service worker and its offline page.

Roles: `alice` (an agent), `staff` (the site administrator); most requests are made by
someone who has not signed in, since these pages are public.
"""

import json

import pytest
from django.test import Client

from intranet.core.models import SitePage

pytestmark = pytest.mark.django_db
SLUGS = ["accessibility", "legal-notice", "personal-data"]


@pytest.mark.parametrize("slug", SLUGS)
def test_site_pages_are_public_and_written_in_french_by_default(client, slug):
    response = client.get(f"/about/{slug}/")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.text
    assert SitePage.objects.get(slug=slug).title_fr in response.text


def test_accessibility_statement_says_what_rgaa_asks(client):
    text = client.get("/about/accessibility/").text
    assert "partiellement conforme" in text
    assert "Défenseur des droits" in text
    assert "Contenus non accessibles" in text and "Établissement de cette déclaration" in text
    assert "Retour d’information et contact" in text


def test_personal_data_page_says_what_why_how_long_and_whom_to_ask(client):
    text = client.get("/about/personal-data/").text
    for heading in ("Données traitées", "Finalités", "Durées de conservation", "Vos droits"):
        assert heading in text


def test_site_pages_follow_the_chosen_language(client):
    client.cookies["django_language"] = "en"
    text = client.get("/about/accessibility/").text
    assert '<html lang="en"' in text and "Accessibility statement" in text
    assert "partially compliant" in text


def test_english_falls_back_to_french_when_staff_left_it_empty(client):
    SitePage.objects.filter(slug="legal-notice").update(title_en="", body_en=" ")
    client.cookies["django_language"] = "en"
    text = client.get("/about/legal-notice/").text
    assert "Mentions légales" in text and "Éditeur" in text


def test_every_page_links_to_the_site_pages_in_its_footer(client, alice):
    for viewer, url in ((None, "/accounts/login/"), (alice, "/"), (alice, "/people/")):
        if viewer:
            client.force_login(viewer)
        footer = client.get(url).text.split('class="site-footer"')[1]
        for slug in SLUGS:
            assert f'href="/about/{slug}/"' in footer, (url, slug)


def test_unknown_site_page_is_a_404(client):
    assert client.get("/about/nothing-here/").status_code == 404
    assert client.get("/about/%3Cscript%3E/").status_code == 404


def test_staff_edit_a_page_in_the_admin_and_its_markdown_is_rendered_safely(client, staff):
    client.force_login(staff)
    page = SitePage.objects.get(slug="legal-notice")
    admin_url = f"/admin/core/sitepage/{page.pk}/change/"
    assert client.get(admin_url).status_code == 200
    answer = client.post(
        admin_url,
        {
            "title_fr": "Mentions légales de la DRH",
            "body_fr": "## Éditeur\n\nLa **DRH**. <script>alert(1)</script> "
            "[x](javascript:alert(1))",
            "title_en": "",
            "body_en": "",
        },
    )
    assert answer.status_code == 302
    text = Client().get("/about/legal-notice/").text
    assert "Mentions légales de la DRH" in text and "<strong>DRH</strong>" in text
    assert "<script>alert" not in text and 'href="javascript:' not in text


def test_site_pages_cannot_be_added_or_deleted_in_the_admin(client, staff):
    client.force_login(staff)
    page = SitePage.objects.get(slug="accessibility")
    assert client.get("/admin/core/sitepage/add/").status_code == 403
    assert client.get(f"/admin/core/sitepage/{page.pk}/delete/").status_code == 403


def test_agents_cannot_edit_site_pages(client, alice):
    client.force_login(alice)
    page = SitePage.objects.get(slug="accessibility")
    assert client.get(f"/admin/core/sitepage/{page.pk}/change/").status_code == 302


def test_manifest_names_the_site_and_its_icons_served_by_the_site(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Transverse" and manifest["start_url"] == "/"
    assert manifest["lang"] == "fr" and manifest["description"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/")
        assert client.get(icon["src"]).status_code == 200


def test_manifest_is_localised(client):
    client.cookies["django_language"] = "en"
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["lang"] == "en"
    assert manifest["description"] == "The internal social network of your administration."


def test_service_worker_is_served_from_the_root_and_caches_only_the_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    shell = json.loads(script.split("const SHELL = ", 1)[1].split(";\n", 1)[0])
    assert "/offline/" in shell
    assert all(url == "/offline/" or url.startswith("/static/") for url in shell)
    assert "url.origin !== self.location.origin" in script


def test_offline_page_carries_no_agent_data_even_when_signed_in(client, alice):
    client.force_login(alice)
    text = client.get("/offline/").text
    assert "Alice" not in text and "csrfmiddlewaretoken" not in text
    assert "Pas de connexion" in text or "No connection" in text


def test_every_page_links_the_manifest_and_the_registration_script(client):
    text = client.get("/accounts/login/").text
    assert 'rel="manifest" href="/manifest.webmanifest"' in text
    assert 'data-sw-url="/sw.js"' in text


def test_a_missing_page_is_written_again_with_its_defaults(client):
    SitePage.objects.all().delete()
    assert client.get("/about/personal-data/").status_code == 200
    assert SitePage.objects.get(slug="personal-data").title_fr == "Données personnelles"
    assert client.get("/about/unknown/").status_code == 404
    assert SitePage.objects.count() == 1
