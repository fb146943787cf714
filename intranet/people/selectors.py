"""Reads for the people directory, profiles and the home page."""

from django.db.models import Count, Prefetch, Q, QuerySet

from intranet.accounts.access import visible_agents
from intranet.accounts.models import User
from intranet.core.text import fold
from intranet.departments.models import Department
from intranet.people.models import Endorsement, Skill, SkillClaim
from intranet.people.services.skills import skill_key

MAX_QUERY_TERMS = 8


def with_card_data(queryset: QuerySet[User]) -> QuerySet[User]:
    """Agents with what their cards show (department, skills) fetched in two queries."""
    return queryset.select_related("department").prefetch_related(
        Prefetch(
            "skill_claims",
            queryset=SkillClaim.objects.select_related("skill").order_by("skill__key"),
        )
    )


def agent_directory(
    actor, *, query: str = "", department: Department | None = None, skill: str = ""
) -> QuerySet[User]:
    """Agents actor may see, filtered by name, department subtree and skill, sorted by name."""
    agents = visible_agents(actor)
    for term in fold(query).split()[:MAX_QUERY_TERMS]:
        agents = agents.filter(sort_name__contains=term)
    if department is not None:
        agents = agents.filter(department__path__startswith=department.path)
    if skill:  # any spelling or synonym of the skill
        agents = agents.filter(skill_claims__skill__aliases__key=skill_key(skill))
    return with_card_data(agents).order_by("sort_name", "pk")


def agent_skills(agent: User) -> list[Skill]:
    return list(Skill.objects.filter(claims__agent=agent).order_by("key"))


def agent_colleagues(actor, agent: User, *, limit: int = 12) -> list[User]:
    """Other agents of agent's own department, for the home page and the profile."""
    if agent.department_id is None:
        return []
    colleagues = visible_agents(actor).filter(department_id=agent.department_id)
    return list(
        colleagues.exclude(pk=agent.pk).select_related("department").order_by("sort_name")[:limit]
    )


def agent_reports(actor, agent: User) -> list[User]:
    return list(visible_agents(actor).filter(manager=agent).order_by("sort_name"))


def newcomers(actor, *, limit: int = 6) -> list[User]:
    agents = visible_agents(actor).filter(is_superuser=False).select_related("department")
    return list(agents.order_by("-date_joined", "-pk")[:limit])


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


def claim_endorsers(actor, claim: SkillClaim, *, limit: int = 20) -> list[User]:
    return list(
        visible_agents(actor).filter(endorsements_given__claim=claim).order_by("sort_name")[:limit]
    )


def skills_for_curation(*, status: str = "", query: str = "") -> QuerySet[Skill]:
    """Skills for staff: proposed first, with their synonyms and the number of claims."""
    skills = Skill.objects.annotate(n_claims=Count("claims", distinct=True))
    if status:
        skills = skills.filter(status=status)
    if query:
        skills = skills.filter(aliases__key__contains=fold(query)).distinct()
    return skills.prefetch_related("aliases").order_by("-status", "key")
