"""The page frame (header, menus, footer) is partly rendered once per process
({% frame_fragment %}): what each agent sees still follows the language, the page, the
branding and whether they are signed in, on the very next request."""

from django.test import Client

from intranet.core.models import Branding, SitePage


def page(agent, path="/departments/", language="en") -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if agent is not None:
        client.force_login(agent)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_frame_follows_the_language_from_one_request_to_the_next(alice):
    english, french, again = page(alice), page(alice, language="fr"), page(alice)
    assert '<html lang="en">' in english and ">Skip to main content<" in english
    assert ">Departments</a>" in english and "Accessibility: partially compliant" in english
    assert '<html lang="fr">' in french and ">Aller au contenu principal<" in french
    assert ">Services</a>" in french and ">Departments</a>" not in french
    assert 'value="en" lang="en"' in again and ">Departments</a>" in again
    pressed = again.split('value="en" lang="en"')[1].split("</button>")[0]
    assert 'aria-pressed="true"' in pressed


def test_the_current_menu_entry_follows_the_page(alice):
    departments, groups = page(alice, "/departments/"), page(alice, "/groups/")
    assert '<a href="/departments/" aria-current="page">' in departments
    assert '<a href="/groups/" aria-current="page">' not in departments
    assert '<a href="/groups/" aria-current="page">' in groups
    assert '<a href="/departments/" aria-current="page">' not in groups


def test_a_branding_change_shows_on_the_next_request(alice):
    assert "Région Exemple" not in page(alice)
    Branding.objects.create(name="Région Exemple", primary_color="#123456")
    html = page(alice)
    assert "– Région Exemple</title>" in html and '"brand__name">Région Exemple<' in html
    assert '<meta name="theme-color" content="#123456">' in html
    assert "Région Exemple runs on Transverse" in html
    Branding.objects.update(name="Région Autre")
    Branding.objects.get().save()  # the admin saves: the signal forgets the cached branding
    assert '"brand__name">Région Autre<' in page(alice)


def test_the_footer_shows_the_charter_to_agents_signed_in_only(alice, db):
    assert "/charter/" in page(alice).split("<footer")[1]
    assert "/charter/" not in page(None, "/accounts/login/").split("<footer")[1]
    assert "/charter/" in page(alice).split("<footer")[1]


def test_an_edited_site_page_shows_at_once(alice):
    page(alice, "/about/accessibility/")
    SitePage.objects.filter(slug="accessibility").update(body_en="**Audited** in 2026.")
    assert "<strong>Audited</strong> in 2026." in page(alice, "/about/accessibility/")
