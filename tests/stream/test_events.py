"""Stream events as published after commit: post.created and reactions.changed carry ids
only (docs/realtime.md), to the group's members or to everyone, never for department
posts (their readers see them on the next load)."""

import pytest

from intranet.stream.services import posts, reactions
from tests.factories import CommentFactory, GroupFactory, PostFactory


def test_nothing_is_published_before_commit(alice, published_events):
    posts.post_create(alice, body="Pas encore validé", visibility="organisation")
    assert published_events.sent == []


def test_group_post_is_announced_to_the_group_with_ids_only(alice, published_events):
    group = GroupFactory(created_by=alice)
    with published_events.committing():
        post = posts.post_create(alice, body="Ordre du jour", visibility="group", group=group)
    (sent,) = published_events.sent
    assert sent.group == f"group.{group.pk}"
    assert sent.message == {
        "type": "relay",
        "event": {"type": "post.created", "post": post.pk, "group": group.pk},
        "active_only": True,  # a socket of an agent deactivated since does not relay it
    }


@pytest.mark.parametrize(
    ("visibility", "groups"), [("organisation", ["feed.organisation"]), ("department", [])]
)
def test_post_outside_groups_goes_to_everyone_or_nobody(
    alice, published_events, visibility, groups
):
    with published_events.committing():
        post = posts.post_create(alice, body="Note de service", visibility=visibility)
    assert [p.group for p in published_events.sent] == groups
    assert all(
        p.event == {"type": "post.created", "post": post.pk, "group": None}
        for p in published_events.sent
    )


def test_reaction_on_a_group_post_announces_new_counts(alice, carol, published_events):
    post = PostFactory(author=alice, in_group=True)
    with published_events.committing():
        reactions.reaction_toggle(alice, kind="like", post_id=post.pk)
        reactions.reaction_toggle(alice, kind="like", post_id=post.pk)  # taken back
    event = {"type": "reactions.changed", "post": post.pk, "group": post.group_id}
    assert [(p.group, p.event) for p in published_events.sent] == [
        (f"group.{post.group_id}", event),
        (f"group.{post.group_id}", event),
    ]


def test_reaction_on_a_comment_announces_its_posts_counts(alice, carol, published_events):
    comment = CommentFactory(post=PostFactory(author=alice))
    with published_events.committing():
        reactions.reaction_toggle(carol, kind="thanks", comment_id=comment.pk)
    reaction_events = published_events.of_kind("reactions.changed")
    assert [(p.group, p.event["post"]) for p in reaction_events] == [
        ("feed.organisation", comment.post_id)
    ]
    # and alice's unread count changes: she was notified
    assert [p.group for p in published_events.of_kind("counts.refresh")] == [f"agent.{alice.pk}"]
