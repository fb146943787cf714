"""The profile names no higher app: posts, the follow button, ambassador roles and accepted
answers arrive through the slots profile.actions, profile.expertise and profile.main
(intranet.core.sections), each showing only what the viewer may see."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intranet.core import sections
from intranet.groups.models import Group
from intranet.groups.services import group_create
from intranet.questions.models import Answer, Question
from intranet.stream.selectors import PAGE_SIZE
from intranet.stream.services.posts import post_create

PROFILE = "/people/alice/"


@pytest.fixture
def secret(alice):
    """A secret group whose only member is alice."""
    return group_create(alice, name="Cellule", policy=Group.Policy.SECRET)


def page(client, agent, url=PROFILE) -> str:
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_profile_shows_the_agents_posts_only_to_who_may_see_them(client, alice, carol, secret):
    post_create(alice, body="Ouvert à tous", visibility="organisation")
    post_create(alice, body="Entre nous", visibility="group", group=secret)
    seen_by_carol = page(client, carol)
    assert "Ouvert à tous" in seen_by_carol and "Entre nous" not in seen_by_carol
    seen_by_alice = page(client, alice)
    assert "Ouvert à tous" in seen_by_alice and "Entre nous" in seen_by_alice


def test_a_slot_with_its_sections_removed_renders_nothing(client, alice, carol, monkeypatch):
    post_create(alice, body="Ouvert à tous", visibility="organisation")
    for slot in ("profile.main", "profile.actions", "profile.expertise"):
        monkeypatch.setitem(sections._sections, slot, [])
    html = page(client, carol)
    assert "Ouvert à tous" not in html and 'id="activity-heading"' not in html
    assert "/follow/" not in html
    assert 'id="contact-heading"' in html  # the profile itself is still there


def test_follow_button_on_others_profiles_only(client, alice, carol):
    own = page(client, alice)
    other = page(client, carol)
    assert 'name="follow"' not in own
    assert 'name="follow"' in other


def test_see_more_serves_only_the_next_posts_of_the_profile(client, alice, carol):
    for n in range(PAGE_SIZE + 1):
        post_create(alice, body=f"Billet numéro {n}", visibility="organisation")
    html = page(client, carol)
    assert f"Billet numéro {PAGE_SIZE}" in html and "Billet numéro 0<" not in html
    cursor = re.search(r'after=([^"&]+)" rel="next"', html).group(1)
    fragment = page(client, carol, f"{PROFILE}?fragment=1&after={cursor}")
    assert "<html" not in fragment and "Billet numéro 0<" in fragment
    assert f"Billet numéro {PAGE_SIZE}<" not in fragment


def test_accepted_answers_show_only_when_the_viewer_may_see_them(
    client, alice, carol, secret, staff
):
    from intranet.experts.services import theme_create

    theme = theme_create(staff, name="Budget", description="", skills=[], topics=[])
    for title, group in (("Question publique", None), ("Question secrète", secret)):
        question = Question.objects.create(author=alice, theme=theme, group=group, title=title)
        Answer.objects.create(
            question=question, author=alice, body="!", is_accepted=True, accepted_at=timezone.now()
        )
    seen_by_carol = page(client, carol)
    assert "Question publique" in seen_by_carol and "Question secrète" not in seen_by_carol
    assert "Question secrète" in page(client, alice)


def profile_queries(client, viewer) -> int:
    client.force_login(viewer)
    client.get(PROFILE)  # per-process caches warmed
    with CaptureQueriesContext(connection) as captured:
        assert client.get(PROFILE).status_code == 200
    return len(captured)


def test_profile_query_count_does_not_grow_with_posts(client, alice, carol):
    post_create(alice, body="Premier", visibility="organisation")
    few = profile_queries(client, carol)
    for n in range(12):
        post_create(alice, body=f"Encore {n} #budget", visibility="organisation")
    assert profile_queries(client, carol) == few
