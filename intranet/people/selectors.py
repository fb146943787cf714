"""Reads for the people directory, profiles and the home page."""

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from intranet.accounts.access import visible_agents
from intranet.accounts.models import User
from intranet.core.text import fold, without_nul
from intranet.departments.models import Department
from intranet.skills.models import SkillClaim
from intranet.skills.selectors import skills_matching

MAX_QUERY_TERMS = 8
# The person picker's bounds: what a query may hold and how many agents it answers.
SUGGESTION_QUERY_LENGTH = 100
SUGGESTION_TERMS = 4
SUGGESTION_LIMIT = 10


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
    if skill:  # words inside any spelling or synonym, as the expert finder matches them
        claims = SkillClaim.objects.filter(agent=OuterRef("pk"), skill__in=skills_matching(skill))
        agents = agents.filter(Exists(claims))
    return with_card_data(agents).order_by("sort_name", "pk")


def agent_colleagues(actor, agent: User, *, limit: int = 12) -> list[User]:
    """Other agents of agent's own department, for the home page and the profile."""
    if agent.department_id is None:
        return []
    colleagues = visible_agents(actor).filter(department_id=agent.department_id)
    # Shown as cards: their skills prefetched (a card lists them: 2 queries a card else).
    return list(with_card_data(colleagues.exclude(pk=agent.pk)).order_by("sort_name")[:limit])


def agent_reports(actor, agent: User) -> list[User]:
    return list(with_card_data(visible_agents(actor).filter(manager=agent)).order_by("sort_name"))


def newcomers(actor, *, limit: int = 6) -> list[User]:
    agents = with_card_data(visible_agents(actor).filter(is_superuser=False))
    return list(agents.order_by("-date_joined", "-pk")[:limit])


def agent_suggestions(actor, query: str, *, limit: int = SUGGESTION_LIMIT) -> list[User]:
    """The person picker's suggestions: visible agents (but actor) whose name, login, job
    title or department holds every word of query; those whose name matches come first.

    Fewer than two characters answer nothing; the query and the answer are bounded.
    """
    raw = without_nul(query or "")[:SUGGESTION_QUERY_LENGTH].split()[:SUGGESTION_TERMS]
    if len("".join(raw)) < 2:
        return []
    agents = visible_agents(actor).exclude(pk=getattr(actor, "pk", None))
    by_name = Q()
    for word in raw:
        term = fold(word)
        named = Q(sort_name__contains=term) | Q(username__istartswith=word)
        agents = agents.filter(
            named
            | Q(title__icontains=word)
            | Q(department__name__icontains=word)
            | Q(department__acronym__iexact=word)
        )
        by_name &= named
    agents = agents.annotate(
        rank=Case(When(by_name, then=Value(0)), default=Value(1), output_field=IntegerField())
    )
    agents = agents.select_related("department").order_by("rank", "sort_name", "pk")
    return list(agents[: max(0, min(limit, SUGGESTION_LIMIT))])
