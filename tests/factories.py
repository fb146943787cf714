"""factory_boy factories: minimal valid objects, built through the same paths as the app.

Each factory makes the smallest object the app itself could have made, and everything it
needs (SubFactory graphs): `PostFactory()` brings its author, `CommentFactory()` a post
and its author, `MessageFactory()` a conversation. Pass what a test cares about and let
the factory fill in the rest: `PostFactory(author=alice, body="Bonjour")`,
`PostFactory(in_group=True)`, `MembershipFactory(group=group, agent=bob, role="animator")`.

Models whose invariants are kept by a service are created by that service (`_create`
calls it), never by `Model.objects.create`: a group gets its owner's membership and
guardian permissions and its search queue row; a member gets the role's permissions; a
post or a comment gets its rendered HTML, mentions, topics and search row; a chat message
gets the conversation's seq/rev counters under its lock; a skill gets its aliases. So a
factory never makes a state that the site could not reach, and the services' after-commit
work (events, indexing) runs as in the site. These factories support `create` (the
default) only: the objects they make do not exist before a service stored them.
"""

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from intranet.accounts.models import User
from intranet.chat import services as chat_services
from intranet.chat.models import Conversation, Message
from intranet.departments.services import department_create
from intranet.experts import services as expert_services
from intranet.experts.models import Theme
from intranet.groups import services as group_services
from intranet.groups.models import Group, Membership
from intranet.questions import services as question_services
from intranet.questions.models import Answer, Question
from intranet.skills import services as skill_services
from intranet.skills.models import Skill, SkillClaim
from intranet.skills.services import curation
from intranet.stream.models import Comment, Post
from intranet.stream.services import comments as comment_services
from intranet.stream.services import posts as post_services

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    """An active agent with a local password (PASSWORD), in no department unless given."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"agent{n}")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@exemple.gouv.fr")
    password = _PASSWORD_HASH  # hashed once: hashing per agent would slow every test down
    # Already past the first-visit welcome; a test of the welcome passes welcomed_at=None.
    welcomed_at = factory.LazyFunction(timezone.now)


class StaffFactory(UserFactory):
    """A site administrator: the curator of skills and themes."""

    username = factory.Sequence(lambda n: f"admin{n}")
    is_staff = True
    is_superuser = True


def make_department(name="Direction des finances", parent=None, **fields):
    return department_create(name=name, parent=parent, **fields)


class GroupFactory(factory.django.DjangoModelFactory):
    """A closed group, by group_create: its creator is its owner (membership, permissions)."""

    class Meta:
        model = Group

    created_by = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Groupe {n}")
    policy = Group.Policy.CLOSED
    description = ""

    @classmethod
    def _create(cls, model_class, *, created_by, **fields):
        return group_services.group_create(created_by, **fields)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A member of a group, as the services make one: joined (open group) or invited by the
    owner and accepted (closed and secret groups; the invitation and its notification stay,
    as in the site), then given role by the owner."""

    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    agent = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER

    @classmethod
    def _create(cls, model_class, *, group, agent, role):
        owner = group.created_by
        if group.policy == Group.Policy.OPEN:
            group_services.group_join(agent, group)
        else:
            (invitation,) = group_services.group_invite(owner, group, agents=[agent])
            group_services.invitation_answer(agent, invitation, accept=True)
        if role != Membership.Role.MEMBER:
            group_services.group_member_role_set(owner, group, agent, role=role)
        return Membership.objects.get(group=group, agent=agent)


class PostFactory(factory.django.DjangoModelFactory):
    """A post for the whole organisation, by post_create; `in_group=True`: in a new group of
    its author's."""

    class Meta:
        model = Post

    class Params:
        in_group = factory.Trait(
            visibility="group",
            group=factory.SubFactory(GroupFactory, created_by=factory.SelfAttribute("..author")),
        )

    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Publication {n}")
    visibility = "organisation"
    group = None

    @classmethod
    def _create(cls, model_class, *, author, **fields):
        return post_services.post_create(author, **fields)


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment by the post's author (who may always comment), by comment_create."""

    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SelfAttribute("post.author")
    body = factory.Sequence(lambda n: f"Commentaire {n}")

    @classmethod
    def _create(cls, model_class, *, post, author, **fields):
        return comment_services.comment_create(author, post.pk, **fields)


class ConversationFactory(factory.django.DjangoModelFactory):
    """A named conversation, by conversation_named_create: its creator and `agents` take
    part."""

    class Meta:
        model = Conversation

    created_by = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Conversation {n}")
    agents = factory.List([])

    @classmethod
    def _create(cls, model_class, *, created_by, name, agents):
        return chat_services.conversation_named_create(created_by, name=name, agents=agents)


class MessageFactory(factory.django.DjangoModelFactory):
    """A chat message by the conversation's creator, by message_send: only the service
    numbers it (seq and rev taken under the conversation's lock, the rate counter, the
    search row), so a message made by hand would break the replay protocol's order."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    sender = factory.SelfAttribute("conversation.created_by")
    body = factory.Sequence(lambda n: f"Message {n}")
    idempotency_key = factory.Sequence(lambda n: f"factory-{n:06d}")

    @classmethod
    def _create(cls, model_class, *, conversation, sender, **fields):
        message, _created = chat_services.message_send(sender, conversation.pk, **fields)
        return message


class SkillFactory(factory.django.DjangoModelFactory):
    """An accepted skill of the taxonomy with its alias rows, by curation.skill_create."""

    class Meta:
        model = Skill

    curator = factory.SubFactory(StaffFactory)
    label = factory.Sequence(lambda n: f"Compétence {n}")
    synonyms = factory.List([])

    @classmethod
    def _create(cls, model_class, *, curator, **fields):
        return curation.skill_create(curator, **fields)


class SkillClaimFactory(factory.django.DjangoModelFactory):
    """An agent's own claim of a skill, by skill_claim_add."""

    class Meta:
        model = SkillClaim

    agent = factory.SubFactory(UserFactory)
    skill = factory.SubFactory(SkillFactory)
    level = SkillClaim.Level.PRACTICE
    accepts_requests = False

    @classmethod
    def _create(cls, model_class, *, agent, skill, **fields):
        return skill_services.skill_claim_add(agent, agent, label=skill.label, **fields)


class ThemeFactory(factory.django.DjangoModelFactory):
    """An active expertise theme on one new skill, by theme_create."""

    class Meta:
        model = Theme

    curator = factory.SubFactory(StaffFactory)
    name = factory.Sequence(lambda n: f"Thème {n}")
    skills = factory.List([factory.SubFactory(SkillFactory)])
    topics = factory.List([])

    @classmethod
    def _create(cls, model_class, *, curator, **fields):
        return expert_services.theme_create(curator, **fields)


class QuestionFactory(factory.django.DjangoModelFactory):
    """A question for the whole organisation on a new theme, by question_ask (routed to
    the theme's experts after commit)."""

    class Meta:
        model = Question

    author = factory.SubFactory(UserFactory)
    theme = factory.SubFactory(ThemeFactory)
    title = factory.Sequence(lambda n: f"Question {n} ?")
    body = ""
    group = None

    @classmethod
    def _create(cls, model_class, *, author, **fields):
        return question_services.question_ask(author, **fields)


class AnswerFactory(factory.django.DjangoModelFactory):
    """An answer by another agent, by answer_create."""

    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Réponse {n}")

    @classmethod
    def _create(cls, model_class, *, question, author, **fields):
        return question_services.answer_create(author, question.pk, **fields)
