"""A poll in the demo training space (made by intranet.events.demo, found by its stable
address: polls stand beside events and do not import them). Safe to run again: nothing
is done once the group has a poll."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from intranet.groups.access import is_member
from intranet.groups.models import Group
from intranet.polls.models import Choice, Poll
from intranet.polls.services import poll_create, poll_vote

TRAINING_SPACE_SLUG = "espace-formation-outil-courrier"  # intranet.events.demo.DEMO_SLUG


@transaction.atomic
def seed(stdout) -> None:
    group = Group.objects.filter(slug=TRAINING_SPACE_SLUG).select_related("created_by").first()
    if group is None or group.created_by is None:
        stdout.write("Polls demo skipped: no demo training space.")
        return
    if Poll.objects.filter(group=group).exists():
        stdout.write("Polls demo already present: nothing to do.")
        return
    poll = poll_create(
        group.created_by,
        group,
        question="Quel créneau préférez-vous pour les prochaines sessions ?",
        choices=["Mardi matin", "Jeudi après-midi", "Vendredi matin"],
        closes_at=timezone.now() + timedelta(days=14),
    )
    choices = list(Choice.objects.filter(poll=poll).order_by("position"))
    voters = [m.agent for m in group.memberships.select_related("agent").order_by("pk")[1:8]]
    for i, agent in enumerate(voters):
        if is_member(agent, group):
            poll_vote(agent, poll, choice_ids=[choices[(i * 2) % 3].pk])
    stdout.write(f"Polls demo: 1 poll, {len(voters)} votes.")
