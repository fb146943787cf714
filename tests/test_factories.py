"""The shared factories make objects the site itself could have made (tests/factories.py)."""

from intranet.chat.models import Conversation
from intranet.groups import access as group_access
from intranet.groups.models import Group, Membership
from intranet.search.models import IndexEntry
from tests.factories import (
    AnswerFactory,
    CommentFactory,
    GroupFactory,
    MembershipFactory,
    MessageFactory,
    PostFactory,
    SkillClaimFactory,
    ThemeFactory,
)


def test_group_has_its_owner_with_the_owners_permissions(db):
    group = GroupFactory()
    owner = group.created_by
    assert group.memberships.get().agent == owner
    assert group.memberships.get().role == Membership.Role.OWNER
    assert group_access.can_administer_group(owner, group)
    assert IndexEntry.objects.filter(kind="group", object_id=group.pk).exists()


def test_animator_of_a_closed_group_may_manage_its_members(db):
    membership = MembershipFactory(role=Membership.Role.ANIMATOR)
    assert membership.group.policy == Group.Policy.CLOSED
    assert group_access.can_manage_members(membership.agent, membership.group)


def test_member_of_an_open_group_joined_it(db):
    membership = MembershipFactory(group=GroupFactory(policy=Group.Policy.OPEN))
    assert membership.role == Membership.Role.MEMBER
    assert not group_access.can_manage_members(membership.agent, membership.group)


def test_group_post_is_in_a_group_of_its_author_and_rendered(db):
    post = PostFactory(in_group=True, body="**gras**")
    assert post.visibility == "group" and post.group.created_by == post.author
    assert "<strong>gras</strong>" in post.body_html


def test_comment_hangs_on_a_post_by_the_same_author(db):
    comment = CommentFactory()
    assert comment.post.author == comment.author and comment.body_html


def test_messages_are_numbered_by_the_conversation(db):
    first = MessageFactory()
    second = MessageFactory(conversation=first.conversation)
    assert (first.seq, second.seq) == (1, 2)
    conversation = Conversation.objects.get(pk=first.conversation_id)
    assert (conversation.last_seq, conversation.last_rev) == (2, 2)


def test_claim_names_the_skill_it_was_given(db):
    claim = SkillClaimFactory()
    assert claim.agent.skill_claims.get() == claim
    assert claim.skill.status == claim.skill.Status.ACCEPTED


def test_answer_to_a_question_on_a_theme_with_a_skill(db):
    answer = AnswerFactory()
    question = answer.question
    assert question.theme.skills.count() == 1 and question.theme.is_active
    question.refresh_from_db()
    assert question.first_answer_at is not None and answer.author != question.author


def test_theme_takes_the_skills_it_is_given(db):
    first = ThemeFactory()
    theme = ThemeFactory(skills=list(first.skills.all()))
    assert list(theme.skills.all()) == list(first.skills.all())
