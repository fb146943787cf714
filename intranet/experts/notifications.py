"""Ambassador invitations as notification targets: shown only to the invited agent, and
only while the invitation is still waiting for an answer (re-checked at display time)."""

from django.urls import reverse

from intranet.experts.access import ambassador_invitations
from intranet.experts.models import Ambassador
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
