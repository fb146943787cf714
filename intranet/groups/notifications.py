"""What notifications about a group may show: the group only while the recipient sees it;
a pending invitation is answered from the notification list."""

from intranet.groups.access import visible_groups
from intranet.groups.models import Invitation
from intranet.notifications.answers import Answer, answer_register
from intranet.notifications.models import Kind
from intranet.notifications.targets import relation_register

relation_register("group", visible_groups)


def pending_invitations(actor, notifications) -> dict:
    """The invitations still waiting for actor, by the notification that announced them."""
    waiting = Invitation.objects.filter(
        agent_id=actor.pk,
        status=Invitation.Status.PENDING,
        group_id__in={n.group_id for n in notifications if n.group_id},
    ).select_related("group")
    by_group = {invitation.group_id: invitation for invitation in waiting}
    return {n.pk: by_group[n.group_id] for n in notifications if n.group_id in by_group}


answer_register(
    Answer(
        kind=Kind.INVITATION,
        template="groups/_invitation_answer.html",
        pending=pending_invitations,
    )
)
