"""seed_demo's content: real groups, posts, notifications and follows, loaded once."""

import pytest
from django.core.management import call_command

from intranet.accounts.models import User
from intranet.groups.access import can_see_group
from intranet.groups.models import Group, Membership
from intranet.moderation.charter import charter_accepted
from intranet.notifications.models import Kind, Notification
from intranet.search.models import IndexEntry
from intranet.stream import selectors
from intranet.stream.models import Acknowledgement, Comment, Follow, Post, Reaction
from intranet.topics.models import Topic


@pytest.fixture
def demo(settings, db):
    settings.TRANSVERSE_DEMO = True
    call_command("seed_demo", no_progress=True)


def test_demo_has_groups_of_every_kind(demo):
    thematic = Group.objects.filter(kind=Group.Kind.THEMATIC)
    assert {g.policy for g in thematic} == {"open", "closed", "secret"}
    assert thematic.filter(parent__isnull=False).exists()
    assert thematic.filter(is_official=True).exists()
    assert Group.objects.filter(kind=Group.Kind.DEPARTMENT).count() >= 6
    assert Membership.objects.filter(role=Membership.Role.ANIMATOR).count() >= 4
    assert Membership.objects.filter(group__in=thematic, role="member").count() > 20


def test_demo_posts_are_real_markdown_with_topics_and_mentions(demo):
    assert Post.objects.count() >= 12
    assert Post.objects.filter(body_html__contains="<strong>").exists()
    assert Post.objects.filter(body_html__contains='href="/agents/').exists() or (
        Post.mentions.through.objects.exists()
    )
    assert Topic.objects.filter(key="accessibilite").exists()
    assert Comment.objects.filter(parent__isnull=False).exists()
    assert Reaction.objects.count() >= 10
    mentioned = User.objects.get(username="amartin")
    assert Notification.objects.filter(recipient=mentioned, kind=Kind.MENTION).exists()
    assert IndexEntry.objects.filter(kind="post").count() >= Post.objects.count()


def test_demo_announcement_asks_for_acknowledgement(demo):
    announcement = Post.objects.get(requires_ack=True)
    assert announcement.visibility == "organisation"
    assert Acknowledgement.objects.filter(post=announcement).count() == 2
    reader = User.objects.filter(is_superuser=False).exclude(username="amartin").last()
    assert Notification.objects.filter(recipient=reader, kind=Kind.ANNOUNCEMENT).exists()


def test_demo_writers_accepted_the_charter_and_others_have_not(demo):
    assert charter_accepted(User.objects.get(username="jlefevre"))
    reader = User.objects.filter(is_superuser=False).order_by("-pk").first()
    assert not charter_accepted(reader)


def test_an_ordinary_demo_agent_sees_a_full_feed_but_not_the_secret_group(demo):
    agent = User.objects.filter(is_superuser=False).order_by("-pk").first()
    assert Follow.objects.filter(follower=agent).count() == 2
    assert len(selectors.home_feed(agent).posts) >= 4
    assert len(selectors.home_feed(User.objects.get(username="amartin")).posts) >= 10
    secret = Group.objects.get(policy="secret", kind="thematic")
    assert not can_see_group(agent, secret)
    assert all(p.group_id != secret.pk for p in selectors.home_feed(agent).posts)


def test_seed_demo_twice_adds_nothing(demo):
    counts = (
        Group.objects.count(),
        Post.objects.count(),
        Membership.objects.count(),
        Follow.objects.count(),
        Notification.objects.count(),
    )
    call_command("seed_demo", no_progress=True)
    assert counts == (
        Group.objects.count(),
        Post.objects.count(),
        Membership.objects.count(),
        Follow.objects.count(),
        Notification.objects.count(),
    )


def test_generated_organisation_gets_content_unless_asked_not_to(settings, db):
    settings.TRANSVERSE_DEMO = True
    call_command("seed_demo", agents=40, departments=6, seed=3, no_progress=True, no_content=True)
    assert not Post.objects.exists() and not Group.objects.exists()
    call_command("seed_demo", agents=40, departments=6, seed=3, no_progress=True)
    assert Post.objects.filter(requires_ack=True, visibility="group").count() == 1
    assert Group.objects.filter(kind="thematic").count() == 6
