"""Skills' personal data: the skills an agent declared and the endorsements they gave
(intranet.accounts.personal_data). A leaver's skills go: they no longer answer."""

from django.utils.translation import gettext_lazy as _

from intranet.accounts.personal_data import Provider, provider_register
from intranet.skills.models import Endorsement, SkillClaim


def _export(agent, archive) -> None:
    archive.write_json(
        "skills.json",
        SkillClaim.objects.filter(agent=agent).values(
            "skill__label", "level", "accepts_requests", "created_at"
        ),
    )
    archive.write_json(
        "endorsements_given.json",
        Endorsement.objects.filter(endorser=agent).values("claim__skill__label", "created_at"),
    )


def _count(agent) -> int:
    return SkillClaim.objects.filter(agent=agent).count()


def _anonymise(agent) -> None:
    Endorsement.objects.filter(endorser=agent).delete()
    SkillClaim.objects.filter(agent=agent).delete()


provider_register(
    Provider(
        name="skills",
        label=_("declared skills"),
        export=_export,
        count=_count,
        anonymise=_anonymise,
    )
)
