"""Polls. Who voted (Ballot, one per agent and poll: the DB says so) is kept apart from
what was chosen: a choice counts its votes, and only a named poll keeps NamedVote rows
linking an agent to a choice. An anonymous poll stores no row that joins the two."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intranet.groups.models import Group

MAX_QUESTION = 300
MAX_CHOICE = 200
MAX_CHOICES = 20


class Poll(models.Model):
    class Results(models.TextChoices):
        AFTER_VOTE = "after_vote", _("to voters once they have voted")
        AFTER_CLOSE = "after_close", _("only once the poll is closed")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="polls")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.CharField(max_length=MAX_QUESTION)
    multiple = models.BooleanField(default=False)
    anonymous = models.BooleanField(default=True)
    results = models.CharField(max_length=12, choices=Results.choices, default=Results.AFTER_VOTE)
    closes_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    voter_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "-created_at"], name="poll_group_recent")]

    def __str__(self):
        return self.question

    @property
    def is_closed(self) -> bool:
        return timezone.now() >= self.closes_at


class Choice(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(max_length=MAX_CHOICE)
    position = models.PositiveSmallIntegerField()
    votes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "position"], name="choice_unique_position"),
        ]

    def __str__(self):
        return self.label


class Ballot(models.Model):
    """That agent has voted in that poll: nothing about what they chose."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "agent"], name="ballot_one_per_agent"),
        ]


class NamedVote(models.Model):
    """A named poll's vote: agent chose choice (never written for an anonymous poll)."""

    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="named_votes")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["choice", "agent"], name="namedvote_unique"),
        ]
