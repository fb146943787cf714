"""Groups' personal data: an agent's memberships, requests and invitations
(intranet.accounts.personal_data). A leaver belongs to no group any more."""

from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.groups.models import Invitation, JoinRequest, Membership


def _export(agent, archive) -> None:
    archive.write_json(
        "memberships.json",
        Membership.objects.filter(agent=agent).values(
            "group__name", "role", "notify_posts", "joined_at"
        ),
    )
    archive.write_json(
        "join_requests.json",
        JoinRequest.objects.filter(agent=agent).values(
            "group__name", "message", "status", "created_at", "decided_at"
        ),
    )
    archive.write_json(
        "invitations.json",
        Invitation.objects.filter(agent=agent).values(
            "group__name", "status", "created_at", "decided_at"
        ),
    )


def _count(agent) -> int:
    return Membership.objects.filter(agent=agent).count()


def _anonymise(agent) -> None:
    Membership.objects.filter(agent=agent).delete()
    JoinRequest.objects.filter(agent=agent).delete()
    Invitation.objects.filter(agent=agent).delete()


provider_register(
    Provider(
        name="groups",
        label=_("group memberships"),
        export=_export,
        count=_count,
        anonymise=_anonymise,
    )
)
