"""Who may see a #topic: its page, following it and the home feed's filter.

A topic is visible when something the agent may see carries it (a post, a group's themes,
an expert theme, a question); otherwise every surface answers exactly as for an unknown key.

Roles: `alice` owns the secret group "Cellule de crise" (#plan-blanc in a post, #confidentiel
as its theme); `carol` is an outsider; `staff` sees everything.
"""

import pytest
from django.http import Http404
from django.test import Client

from intranet.experts.services import theme_create, theme_update
from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.questions.services import question_ask
from intranet.stream.services import posts
from intranet.topics.access import visible_topics
from intranet.topics.models import Topic, TopicFollow
from intranet.topics.services import topic_follow, topics_get_or_create

UNKNOWN = "sujet-jamais-vu"


@pytest.fixture
def secret(alice):
    group = group_services.group_create(
        alice, name="Cellule de crise", policy=Group.Policy.SECRET, themes=["confidentiel"]
    )
    posts.post_create(alice, body="Réunion #plan-blanc", visibility="group", group=group)
    return group


@pytest.fixture
def public(carol):
    return posts.post_create(carol, body="Rien de secret #budget", visibility="organisation")


def client_of(agent) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    return client


def answers(client, key) -> tuple[int, int]:
    """(status of the topic page, status of a follow) for key."""
    page = client.get(f"/topics/{key}/").status_code
    follow = client.post(f"/topics/{key}/follow/", {"follow": "1"}).status_code
    return page, follow


@pytest.mark.parametrize("key", ["plan-blanc", "confidentiel"])
def test_secret_only_topic_answers_an_outsider_like_an_unknown_one(carol, secret, key):
    """A secret group's #topic (in a post, or as the group's theme) is 404 for outsiders."""
    client = client_of(carol)
    assert answers(client, key) == answers(client, UNKNOWN) == (404, 404)
    assert not TopicFollow.objects.filter(agent=carol).exists()


@pytest.mark.parametrize("key", ["plan-blanc", "confidentiel"])
def test_member_and_staff_see_and_follow_the_secret_groups_topic(alice, staff, secret, key):
    for agent in (alice, staff):
        assert answers(client_of(agent), key) == (200, 302)
        assert TopicFollow.objects.filter(agent=agent, topic__key=key).exists()


def test_public_topic_is_visible_to_everyone(alice, carol, public):
    for agent in (alice, carol):
        assert answers(client_of(agent), "budget") == (200, 302)


def test_topic_of_a_deleted_post_only_is_gone(carol, public):
    posts.post_delete(carol, public.pk)
    assert answers(client_of(carol), "budget") == (404, 404)


def test_follow_service_refuses_a_topic_out_of_sight(carol, secret):
    with pytest.raises(Http404):
        topic_follow(carol, Topic.objects.get(key="plan-blanc"))


def test_home_filter_ignores_a_secret_topic_as_an_unknown_one(alice, carol, secret, public):
    """?topic=KEY shows the topic's pill only for a visible topic."""
    outsider = client_of(carol)
    secret_page = outsider.get("/?topic=plan-blanc").content.decode()
    unknown_page = outsider.get(f"/?topic={UNKNOWN}").content.decode()
    assert "plan-blanc" not in secret_page.replace("topic=plan-blanc", "")
    assert (
        'aria-current="page">#' not in secret_page and 'aria-current="page">#' not in unknown_page
    )
    assert (
        'aria-current="page">#plan-blanc'
        in client_of(alice).get("/?topic=plan-blanc").content.decode()
    )


def test_followed_topic_out_of_sight_can_still_be_unfollowed(alice, carol, secret):
    """carol, a former member, may stop following the group's #topic she no longer sees."""
    [invitation] = group_services.group_invite(alice, secret, agents=[carol])
    group_services.invitation_answer(carol, invitation, accept=True)
    topic_follow(carol, Topic.objects.get(key="plan-blanc"))
    group_services.group_leave(carol, secret)
    client = client_of(carol)
    assert client.get("/topics/plan-blanc/").status_code == 404
    response = client.post("/topics/plan-blanc/follow/", {"follow": "0"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not TopicFollow.objects.filter(agent=carol).exists()
    # Now that carol no longer follows it: like an unknown key again.
    assert client.post("/topics/plan-blanc/follow/", {"follow": "0"}).status_code == 404


def test_expert_theme_topics_are_visible_while_the_theme_is(carol, staff, secret):
    theme = theme_create(staff, name="Gestion de crise", topics=topics_get_or_create(["crise"]))
    assert answers(client_of(carol), "crise") == (200, 302)
    theme_update(
        staff,
        theme,
        name=theme.name,
        description="",
        skills=[],
        topics=list(theme.topics.all()),
        is_active=False,
    )
    assert client_of(carol).get("/topics/crise/").status_code == 404
    assert client_of(staff).get("/topics/crise/").status_code == 200


def test_a_question_in_a_secret_group_carries_its_topic_for_members_only(
    alice, carol, staff, secret
):
    theme = theme_create(staff, name="Continuité", topics=topics_get_or_create(["continuite"]))
    question_ask(alice, theme=theme, title="Qui appeler la nuit ?", group=secret)
    theme_update(
        staff, theme, name=theme.name, description="", skills=[], topics=[], is_active=True
    )
    assert client_of(alice).get("/topics/continuite/").status_code == 200
    assert client_of(carol).get("/topics/continuite/").status_code == 404


def test_visible_topics_of_outsider_member_and_inactive_agent(alice, carol, secret, public):
    assert set(visible_topics(carol).values_list("key", flat=True)) == {"budget"}
    assert set(visible_topics(alice).values_list("key", flat=True)) == {
        "budget",
        "plan-blanc",
        "confidentiel",
    }
    alice.is_active = False
    assert not visible_topics(alice).exists()


@pytest.mark.parametrize("key", ["plan-blanc", "confidentiel", UNKNOWN])
def test_hostile_keys_and_methods_never_fail(carol, secret, key):
    client = client_of(carol)
    for hostile in (key + "%00", key * 40, "%0d%0a" + key):
        assert client.get(f"/topics/{hostile}/").status_code == 404
    assert client.get(f"/topics/{key}/follow/").status_code == 405
    for follow in ("0", "1"):
        response = client.post(f"/topics/{key}%00/follow/", {"follow": follow})
        assert response.status_code == 404
    assert client.get(f"/?topic={key}%00").status_code == 200
