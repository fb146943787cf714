"""Stream services: each rule with its exact message, idempotency, notifications."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.moderation.charter import CharterNotAccepted
from intranet.moderation.services import charter_accept, charter_publish
from intranet.notifications.models import Notification
from intranet.notifications.selectors import notification_list
from intranet.stream.models import Post, PostRevision, Reaction
from intranet.stream.services import comments, posts, reactions
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")


def test_empty_post_is_refused_with_a_clear_message(alice):
    with pytest.raises(ValidationError, match="Write something before publishing"):
        posts.post_create(alice, body="   \n ", visibility="organisation")
    assert not Post.objects.exists()


def test_oversized_post_is_refused_with_the_limit(alice):
    with pytest.raises(ValidationError, match="the limit is 20000"):
        posts.post_create(alice, body="x" * 20_001, visibility="organisation")


def test_same_idempotency_key_gives_one_post(alice):
    first = posts.post_create(
        alice, body="Bonjour", visibility="organisation", idempotency_key="k1"
    )
    again = posts.post_create(
        alice, body="Bonjour", visibility="organisation", idempotency_key="k1"
    )
    assert first.pk == again.pk and Post.objects.count() == 1


def test_non_member_cannot_post_in_a_group(carol, group):
    with pytest.raises(PermissionDenied):
        posts.post_create(carol, body="intrusion", visibility="group", group=group)


def test_archived_group_is_read_only(alice, group):
    group_services.group_archive(alice, group)
    group.refresh_from_db()
    with pytest.raises(PermissionDenied):
        posts.post_create(alice, body="encore", visibility="group", group=group)


def test_department_post_needs_a_department(db):
    nomad = UserFactory(username="nomad")
    with pytest.raises(ValidationError, match="You have no department"):
        posts.post_create(nomad, body="hello", visibility="department")


def test_only_staff_or_animators_ask_for_acknowledgement(alice, carol, staff, group):
    with pytest.raises(PermissionDenied):
        posts.post_create(carol, body="Lisez", visibility="organisation", requires_ack=True)
    post = posts.post_create(staff, body="Lisez", visibility="organisation", requires_ack=True)
    assert post.is_announcement
    assert Notification.objects.filter(kind="announcement", post=post).count() == 2
    posts.post_acknowledge(alice, post.pk)
    posts.post_acknowledge(alice, post.pk)
    assert post.acknowledgements.count() == 1


def test_mentions_notify_only_agents_who_can_see_the_post(alice, carol, group):
    bob = UserFactory(username="bob")
    group_services._add_member(group, bob)
    post = posts.post_create(
        alice, body="Avis de @bob et @carol ?", visibility="group", group=group
    )
    assert set(
        Notification.objects.filter(kind="mention").values_list("recipient__username", flat=True)
    ) == {"bob"}
    assert set(post.mentions.values_list("username", flat=True)) == {"bob", "carol"}
    assert 'href="/people/bob/"' in post.body_html


def test_mentions_of_unknown_or_former_agents_stay_plain_text(alice, former):
    post = posts.post_create(alice, body="@ghost et @former", visibility="organisation")
    assert "href" not in post.body_html
    assert not Notification.objects.exists()


def test_topics_are_linked_and_folded(alice):
    post = posts.post_create(
        alice, body="Point sur le #RGPD et la #Réunion", visibility="organisation"
    )
    assert sorted(post.topics.values_list("key", flat=True)) == ["reunion", "rgpd"]
    assert 'href="/topics/rgpd/"' in post.body_html


def test_edit_keeps_the_previous_version_and_marks_the_post(alice, carol):
    post = posts.post_create(alice, body="Version 1", visibility="organisation")
    posts.post_edit(alice, post.pk, body="Version 2")
    post.refresh_from_db()
    assert post.edited_at and post.body == "Version 2"
    assert list(PostRevision.objects.values_list("body", flat=True)) == ["Version 1"]
    with pytest.raises(PermissionDenied):
        posts.post_edit(carol, post.pk, body="pirate")


def test_soft_delete_and_moderator_restore(alice, carol, group, staff):
    post = posts.post_create(alice, body="à supprimer", visibility="group", group=group)
    with pytest.raises(Http404):
        posts.post_delete(carol, post.pk)
    posts.post_delete(alice, post.pk)
    with pytest.raises(Http404):
        posts.post_edit(alice, post.pk, body="x")
    posts.post_restore(staff, post.pk)
    post.refresh_from_db()
    assert post.deleted_at is None


def test_comment_replies_stay_one_level_deep(alice):
    post = posts.post_create(alice, body="Question", visibility="organisation")
    top = comments.comment_create(alice, post.pk, body="Réponse")
    reply = comments.comment_create(alice, post.pk, body="Re", parent_id=top.pk)
    reply_to_reply = comments.comment_create(alice, post.pk, body="Re re", parent_id=reply.pk)
    assert reply.parent_id == top.pk and reply_to_reply.parent_id == top.pk


def test_reply_notifies_the_author(alice, carol):
    post = posts.post_create(alice, body="Question", visibility="organisation")
    comments.comment_create(carol, post.pk, body="Réponse", idempotency_key="c1")
    comments.comment_create(carol, post.pk, body="Réponse", idempotency_key="c1")
    assert Notification.objects.filter(recipient=alice, kind="reply").count() == 1


def test_reaction_toggles_and_is_grouped_in_notifications(alice, carol):
    post = posts.post_create(alice, body="Bravo à tous", visibility="organisation")
    others = [UserFactory() for _ in range(4)]
    for agent in [carol, *others]:
        assert reactions.reaction_toggle(agent, kind="like", post_id=post.pk) is True
    assert reactions.reaction_toggle(carol, kind="like", post_id=post.pk) is False
    assert Reaction.objects.filter(post=post).count() == 4
    (item,) = notification_list(alice)
    assert item.others == 3 and item.text.endswith("and 3 others reacted to your content")


def test_reaction_on_invisible_post_is_404(alice, carol, group):
    post = posts.post_create(alice, body="secret", visibility="group", group=group)
    with pytest.raises(Http404):
        reactions.reaction_toggle(carol, kind="like", post_id=post.pk)
    with pytest.raises(ValidationError, match="Unknown reaction"):
        reactions.reaction_toggle(alice, kind="wow", post_id=post.pk)


def test_sharing_only_what_everyone_may_read(alice, carol, group):
    secret_post = posts.post_create(alice, body="interne", visibility="group", group=group)
    public = posts.post_create(carol, body="pour tous", visibility="organisation")
    other = group_services.group_create(alice, name="Autre", policy=Group.Policy.OPEN)
    with pytest.raises(PermissionDenied):
        posts.post_share(alice, secret_post.pk, group=other)
    shared = posts.post_share(alice, public.pk, group=other)
    assert shared.shared_from_id == public.pk and shared.group == other


def test_charter_must_be_accepted_before_writing(alice, staff):
    version = charter_publish(staff, body="Soyez courtois.")
    with pytest.raises(CharterNotAccepted):
        posts.post_create(alice, body="Hello", visibility="organisation")
    charter_accept(alice, version_id=version.pk)
    posts.post_create(alice, body="Hello", visibility="organisation")
    charter_publish(staff, body="Soyez courtois et bref.")
    with pytest.raises(CharterNotAccepted):
        comments.comment_create(alice, Post.objects.get().pk, body="Hi")


def test_following_and_not_oneself(alice, carol):
    reactions.agent_follow(alice, "carol")
    reactions.agent_follow(alice, "carol")
    assert alice.following.count() == 1
    with pytest.raises(ValidationError, match="You cannot follow yourself"):
        reactions.agent_follow(alice, "alice")


def test_tagged_posts_follow_every_change_and_match_a_rebuild(alice, carol):
    """The evidence copy (TaggedPost) equals what a rebuild from the posts gives."""
    from intranet.moderation.services import report_create, report_decide
    from intranet.stream.models import TaggedPost
    from intranet.stream.services.tagging import tagged_posts_rebuild

    group = group_services.group_create(alice, name="Cellule #rgpd", policy=Group.Policy.SECRET)
    kept = posts.post_create(alice, body="#rgpd et #archives", visibility="organisation")
    gone = posts.post_create(alice, body="#rgpd au service", visibility="department")
    hidden = posts.post_create(alice, body="#rgpd en groupe", visibility="group", group=group)
    posts.post_edit(alice, kept.pk, body="#archives seulement, puis #budget")
    posts.post_delete(alice, gone.pk)
    report = report_create(alice, reason="spam", post_id=hidden.pk)
    report_decide(alice, report.pk, decision="hide")

    def rows():
        return set(
            TaggedPost.objects.values_list(
                "post_id",
                "topic__key",
                "author_id",
                "visibility",
                "group_id",
                "department_id",
                "is_live",
            )
        )

    kept_rows = {
        (kept.pk, key, alice.pk, "organisation", None, None, True) for key in ("archives", "budget")
    }
    assert rows() == kept_rows | {
        (gone.pk, "rgpd", alice.pk, "department", None, alice.department_id, False),
        (hidden.pk, "rgpd", alice.pk, "group", group.pk, None, False),
    }
    before = rows()
    assert tagged_posts_rebuild() == 4
    assert rows() == before
