"""A new agent's first visit opens a short welcome, once; the home feed is never a blank
page (suggestions while the agent follows nothing)."""

import pytest
from django.utils import timezone

from intranet.groups import services as groups
from intranet.stream.services import posts, reactions
from intranet.topics.models import Topic
from intranet.topics.services import topic_follow
from tests.factories import UserFactory


@pytest.fixture
def newcomer(finance):
    """A new agent of Finance who has never seen the welcome."""
    return UserFactory(username="newcomer", first_name="Nina", department=finance, welcomed_at=None)


@pytest.fixture
def network(alice, bob, finance):
    """An open group with members, a followed #topic and a popular post."""
    group = groups.group_create(alice, name="Numérique responsable", policy="open")
    groups.group_join(bob, group)
    groups.department_groups_sync([finance.pk])
    post = posts.post_create(alice, body="Atelier #accessibilité", visibility="organisation")
    reactions.reaction_toggle(bob, kind="like", post_id=post.pk)
    topic_follow(bob, Topic.objects.get(key="accessibilite"))
    return group


def test_the_first_visit_opens_the_welcome_once(client, newcomer):
    client.force_login(newcomer)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/welcome/"
    assert client.get("/welcome/").status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.welcomed_at is not None
    assert client.get("/").status_code == 200  # seen: the home from now on


def test_an_agent_already_welcomed_goes_straight_home(client, alice):
    client.force_login(alice)
    assert client.get("/").status_code == 200
    before = alice.welcomed_at
    client.get("/welcome/")  # still reachable, and the first date is kept
    alice.refresh_from_db()
    assert alice.welcomed_at == before


def test_the_welcome_suggests_the_profile_groups_and_topics(client, newcomer, network):
    client.force_login(newcomer)
    html = client.get("/welcome/").content.decode()
    assert f'href="/people/{newcomer.username}/edit/"' in html
    assert f'href="/people/{newcomer.username}/skills/"' in html
    assert f'action="/groups/{network.slug}/join/"' in html
    assert 'action="/topics/accessibilite/follow/"' in html


def test_following_a_topic_from_the_welcome_comes_back_to_it(client, newcomer, network):
    client.force_login(newcomer)
    response = client.post("/topics/accessibilite/follow/", {"follow": "1", "next": "/welcome/"})
    assert response["Location"] == "/welcome/"
    assert newcomer.topic_follows.count() == 1


def test_the_home_suggests_while_the_agent_follows_nothing(client, newcomer, network):
    newcomer.welcomed_at = timezone.now()
    newcomer.save(update_fields=["welcomed_at"])
    client.force_login(newcomer)
    html = client.get("/").content.decode()
    assert 'id="suggestions-heading"' in html
    assert f'action="/groups/{network.slug}/join/"' in html
    groups.group_join(newcomer, network)
    posts.post_create(newcomer, body="Bonjour à tous", visibility="group", group=network)
    html = client.get("/").content.decode()
    assert 'id="suggestions-heading"' not in html


def test_an_empty_feed_still_shows_suggestions(client, newcomer, network):
    newcomer.welcomed_at = timezone.now()
    newcomer.save(update_fields=["welcomed_at"])
    groups.group_join(newcomer, network)  # follows a quiet group: nothing in the feed
    client.force_login(newcomer)
    html = client.get("/").content.decode()
    assert 'id="suggestions-heading"' in html
    assert "Atelier" in html  # the popular post


def test_the_home_of_an_empty_network_answers_without_error(client, newcomer):
    newcomer.welcomed_at = timezone.now()
    newcomer.save(update_fields=["welcomed_at"])
    client.force_login(newcomer)
    assert client.get("/").status_code == 200
