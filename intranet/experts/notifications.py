"""Ambassador invitations as notification targets: shown only to the invited agent, and
only while the invitation is still waiting for an answer (re-checked at display time),
and answered from the notification list."""

from django.urls import reverse

from intranet.experts.access import ambassador_invitations
from intranet.experts.models import Ambassador
from intranet.notifications.answers import Answer, answer_register
from intranet.notifications.models import Kind
from intranet.notifications.targets import Target, target_register


def _waiting(actor):
    return ambassador_invitations(actor).filter(status=Ambassador.Status.INVITED)


target_register(
    Target(
        model=Ambassador,
        visible=_waiting,
        url=lambda ambassador: reverse("experts:invitation-list"),
        label=lambda ambassador: f"{ambassador.theme} – {ambassador.department.label}",
    )
)


def pending_invitations(actor, notifications) -> dict:
    """The invitations still waiting for actor (the targets, already fetched: no query)."""
    return {
        n.pk: n.target
        for n in notifications
        if isinstance(n.target, Ambassador)
        and n.target.agent_id == actor.pk
        and n.target.status == Ambassador.Status.INVITED
    }


answer_register(
    Answer(
        kind=Kind.AMBASSADOR_INVITATION,
        template="experts/_ambassador_answer.html",
        pending=pending_invitations,
    )
)
