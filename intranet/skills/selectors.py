"""Reads of skills: an agent's claims for their profile, frequent skills, the curation list."""

from django.db.models import Count, Q, QuerySet

from intranet.accounts.access import visible_agents
from intranet.accounts.models import User
from intranet.core.text import fold
from intranet.skills.models import Endorsement, Skill, SkillClaim


def agent_skills(agent: User) -> list[Skill]:
    return list(Skill.objects.filter(claims__agent=agent).order_by("key"))


def popular_skills(actor, *, limit: int = 40) -> list[Skill]:
    """Skills claimed by visible agents, most claimed first (for the directory filter)."""
    visible = visible_agents(actor)
    return list(
        Skill.objects.annotate(n=Count("claims", filter=Q(claims__agent__in=visible)))
        .filter(n__gt=0)
        .order_by("-n", "key")[:limit]
    )


def agent_skill_claims(actor, agent: User) -> list[SkillClaim]:
    """agent's claims for their profile, best level first, each with `n_endorsements` (by
    agents actor may see) and `endorsed_by_me`. Two queries."""
    visible = visible_agents(actor)
    claims = (
        SkillClaim.objects.filter(agent=agent, agent__in=visible)
        .select_related("skill")
        .annotate(
            n_endorsements=Count(
                "endorsements", filter=Q(endorsements__endorser__in=visible), distinct=True
            )
        )
        .order_by("-level", "skill__key")
    )
    claims = list(claims)
    mine = set(
        Endorsement.objects.filter(claim__in=claims, endorser_id=actor.pk).values_list(
            "claim_id", flat=True
        )
    )
    for claim in claims:
        claim.endorsed_by_me = claim.pk in mine
    return claims


def skills_for_curation(*, status: str = "", query: str = "") -> QuerySet[Skill]:
    """Skills for staff: proposed first, with their synonyms and the number of claims."""
    skills = Skill.objects.annotate(n_claims=Count("claims", distinct=True))
    if status:
        skills = skills.filter(status=status)
    if query:
        skills = skills.filter(aliases__key__contains=fold(query)).distinct()
    return skills.prefetch_related("aliases").order_by("-status", "key")
