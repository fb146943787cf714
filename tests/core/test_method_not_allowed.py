"""A refused method gets the site's 405 page, with its status and Allow header kept."""

from django.urls import reverse


def test_get_on_a_post_only_action_shows_the_405_page(alice_client):
    response = alice_client.get(reverse("notifications:notification-read-all"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert ('<html lang="fr">' in html and 'class="site-header' in html) or "<header" in html
    assert reverse("home") in html


def test_post_on_a_page_shows_the_405_page(alice_client):
    response = alice_client.post(reverse("notifications:notification-list"))
    assert response.status_code == 405
    assert b"<h1>" in response.content


def test_scripts_asking_for_json_get_the_bare_answer(alice_client):
    response = alice_client.post(
        reverse("people:agent-suggestions"), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 405
    assert response.content == b""


def test_visitors_still_go_to_sign_in(client, db):
    assert client.get(reverse("notifications:notification-read-all")).status_code == 302
