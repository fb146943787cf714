"""The activity sources of the apps that existed when the dashboards came: stream, chat,
questions (intranet.core.activity). Later apps register theirs from their own
`dashboards.py`. What each counts is defined in docs/dashboards.md."""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from intranet.chat.models import Conversation, Message
from intranet.core.activity import ActivitySource, activity_register
from intranet.questions.models import Answer, Question
from intranet.stream.models import Comment, Post, Reaction


def _live(prefix: str = "") -> Q:
    return Q(**{f"{prefix}deleted_at__isnull": True})


def posts(start, end):
    return Post.objects.filter(
        _live(), hidden_at__isnull=True, created_at__gte=start, created_at__lt=end
    ).values_list("group_id", "author_id")


def _comments(start, end):
    return Comment.objects.filter(
        _live(), _live("post__"), hidden_at__isnull=True, created_at__gte=start, created_at__lt=end
    )


def comments(start, end):
    return _comments(start, end).values_list("post__group_id", "author_id")


def comment_interactions(start, end):
    # A reply answers the comment's author, a comment the post's author.
    for author, post_author, parent_author in (
        _comments(start, end)
        .values_list("author_id", "post__author_id", "parent__author_id")
        .iterator(chunk_size=5000)
    ):
        other = parent_author or post_author
        if other and other != author:
            yield author, other


def _reactions(start, end):
    return Reaction.objects.filter(created_at__gte=start, created_at__lt=end).filter(
        Q(post__isnull=False, post__deleted_at__isnull=True)
        | Q(comment__isnull=False, comment__deleted_at__isnull=True)
    )


def reactions(start, end):
    for post_group, comment_group, agent in (
        _reactions(start, end)
        .values_list("post__group_id", "comment__post__group_id", "agent_id")
        .iterator(chunk_size=5000)
    ):
        yield post_group or comment_group, agent


def reaction_interactions(start, end):
    for agent, post_author, comment_author in (
        _reactions(start, end)
        .values_list("agent_id", "post__author_id", "comment__author_id")
        .iterator(chunk_size=5000)
    ):
        other = post_author or comment_author
        if other and other != agent:
            yield agent, other


def _messages(start, end):
    return Message.objects.filter(_live(), created_at__gte=start, created_at__lt=end)


def chat_messages(start, end):
    return _messages(start, end).values_list("conversation__group_id", "sender_id")


def chat_interactions(start, end):
    """In a group room, a message is one interaction with each other agent who wrote in
    the same room within [start, end) (one day): the other members active in the room."""
    rows = (
        _messages(start, end)
        .filter(conversation__kind=Conversation.Kind.GROUP)
        .values_list("conversation_id", "sender_id")
    )
    per_room: dict[int, list[int]] = defaultdict(list)
    for room, sender in rows.iterator(chunk_size=5000):
        per_room[room].append(sender)
    for senders in per_room.values():
        distinct = set(senders)
        if len(distinct) < 2:
            continue
        for sender in senders:
            for other in distinct:
                if other != sender:
                    yield sender, other


def questions(start, end):
    return Question.objects.filter(_live(), created_at__gte=start, created_at__lt=end).values_list(
        "group_id", "author_id"
    )


def _answers(start, end):
    return Answer.objects.filter(
        _live(), _live("question__"), created_at__gte=start, created_at__lt=end
    )


def answers(start, end):
    return _answers(start, end).values_list("question__group_id", "author_id")


def answer_interactions(start, end):
    for author, asker in (
        _answers(start, end)
        .values_list("author_id", "question__author_id")
        .iterator(chunk_size=5000)
    ):
        if asker != author:
            yield author, asker


activity_register(ActivitySource("posts", _("posts"), posts, order=10))
activity_register(
    ActivitySource("comments", _("comments"), comments, comment_interactions, order=20)
)
activity_register(
    ActivitySource("reactions", _("reactions"), reactions, reaction_interactions, order=30)
)
activity_register(
    ActivitySource("chat_messages", _("chat messages"), chat_messages, chat_interactions, order=40)
)
activity_register(ActivitySource("questions", _("questions asked"), questions, order=50))
activity_register(ActivitySource("answers", _("answers"), answers, answer_interactions, order=60))
