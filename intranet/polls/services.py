"""Writes of polls: create one, vote. A vote is one transaction: the ballot first (its
unique constraint turns a second or concurrent vote into a clear refusal), then the
counts, by F() so two voters at once both count."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.polls import access
from intranet.polls.hooks import voted_emit
from intranet.polls.models import (
    MAX_CHOICE,
    MAX_CHOICES,
    MAX_QUESTION,
    Ballot,
    Choice,
    NamedVote,
    Poll,
)


def _clean(text: str) -> str:
    return " ".join(str(text).split())


@transaction.atomic
def poll_create(
    actor,
    group,
    *,
    question: str,
    choices: list[str],
    closes_at,
    multiple: bool = False,
    anonymous: bool = True,
    results: str = Poll.Results.AFTER_VOTE,
) -> Poll:
    if not access.can_create_poll(actor, group):
        raise PermissionDenied
    question = _clean(question)
    if not question:
        raise ValidationError(_("Write the question."))
    if len(question) > MAX_QUESTION:
        raise ValidationError(_("The question is too long."))
    labels = []
    for label in choices:
        label = _clean(label)
        if label and label not in labels:
            labels.append(label)
    if len(labels) < 2:
        raise ValidationError(_("Give at least two different choices."))
    if len(labels) > MAX_CHOICES or any(len(label) > MAX_CHOICE for label in labels):
        raise ValidationError(_("Too many choices, or a choice too long."))
    if closes_at <= timezone.now():
        raise ValidationError(_("The closing date must be in the future."))
    if results not in Poll.Results.values:
        raise ValidationError(_("Choose when the results are shown."))
    poll = Poll.objects.create(
        group=group,
        author=actor,
        question=question,
        multiple=multiple,
        anonymous=anonymous,
        results=results,
        closes_at=closes_at,
    )
    Choice.objects.bulk_create(
        Choice(poll=poll, label=label, position=i) for i, label in enumerate(labels)
    )
    return poll


def poll_vote(actor, poll: Poll, *, choice_ids: list) -> Poll:
    """actor votes for choice_ids in poll: once only, before it closes, members only."""
    access.check_vote(actor, poll)
    try:
        wanted = {int(c) for c in choice_ids}
    except (TypeError, ValueError):
        raise ValidationError(_("Choose among the poll's choices.")) from None
    valid = set(
        poll.choices.filter(pk__in=[c for c in wanted if 0 < c < 2**31]).values_list(
            "pk", flat=True
        )
    )
    if not wanted or valid != wanted:
        raise ValidationError(_("Choose among the poll's choices."))
    if not poll.multiple and len(valid) != 1:
        raise ValidationError(_("Choose only one answer."))
    try:
        with transaction.atomic():
            Ballot.objects.create(poll=poll, agent=actor)
            Choice.objects.filter(pk__in=valid).update(votes=F("votes") + 1)
            Poll.objects.filter(pk=poll.pk).update(voter_count=F("voter_count") + 1)
            if not poll.anonymous:
                NamedVote.objects.bulk_create(NamedVote(choice_id=c, agent=actor) for c in valid)
            voted_emit(poll, actor)
    except IntegrityError:
        raise ValidationError(_("You have already voted in this poll.")) from None
    poll.refresh_from_db(fields=["voter_count"])
    return poll
