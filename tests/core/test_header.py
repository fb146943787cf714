"""The site header names no app: the notifications and chat badges (slot "header.tools")
and the moderation link (slot "header.nav") are sections their apps register."""

from django.test import Client

from intranet.core import sections


def header(agent) -> str:
    client = Client()
    client.force_login(agent)
    response = client.get("/departments/")
    assert response.status_code == 200
    return response.content.decode()


def test_badges_show_to_every_agent_and_the_moderation_link_to_moderators(alice, staff):
    seen_by_alice = header(alice)
    assert "/notifications/" in seen_by_alice and "data-chat-badge" in seen_by_alice
    assert "/moderation/" not in seen_by_alice.split("site-footer")[0]
    assert "/moderation/" in header(staff).split("site-footer")[0]


def test_without_their_sections_the_header_shows_no_badge_and_no_link(staff, monkeypatch):
    monkeypatch.setitem(sections._sections, "header.tools", [])
    monkeypatch.setitem(sections._sections, "header.nav", [])
    html = header(staff).split("site-footer")[0]
    assert "site-tools__notifications" not in html and "data-chat-badge" not in html
    assert "/moderation/" not in html
    assert "Sign out" in html or "Se déconnecter" in html  # the rest of the header stays
