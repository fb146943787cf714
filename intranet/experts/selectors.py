"""Reads about themes and ambassadors."""

import datetime
from dataclasses import dataclass
from difflib import get_close_matches

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, Count, Exists, Max, OuterRef, Q, QuerySet, When
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from intranet.accounts.access import visible_agents, visible_agents_q
from intranet.accounts.models import User
from intranet.core.text import fold
from intranet.departments.models import Department
from intranet.experts.access import visible_themes
from intranet.experts.evidence import Subject, evidence_sources
from intranet.experts.models import Ambassador, Theme
from intranet.skills.models import SkillAlias, SkillClaim
from intranet.skills.selectors import MAX_MATCHES, skill_suggestions, skills_matching
from intranet.skills.services import skill_key
from intranet.topics.access import visible_topics
from intranet.topics.services import topic_key


def serving_ambassadors(
    theme: Theme, *, department=None, on: datetime.date | None = None
) -> QuerySet[Ambassador]:
    """Ambassadors of a theme who accepted and whose mandate covers `on` (today by default)."""
    on = on or timezone.localdate()
    ambassadors = Ambassador.objects.filter(
        theme=theme,
        status=Ambassador.Status.ACTIVE,
        starts_on__lte=on,
        agent__is_active=True,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    if department is not None:
        ambassadors = ambassadors.filter(department=department)
    return ambassadors.select_related("agent", "department")


def theme_experts(theme: Theme) -> QuerySet[User]:
    """Active agents claiming one of the theme's skills who accept requests on it.

    Synonyms are already resolved: a claim always points at the canonical skill (merges
    move claims), so matching the theme's skills is enough.
    """
    claims = SkillClaim.objects.filter(
        agent=OuterRef("pk"), skill__themes=theme, accepts_requests=True
    )
    return User.objects.filter(is_active=True).filter(Exists(claims)).order_by("sort_name", "pk")


def theme_ambassadors_by_department(theme: Theme, *, on=None) -> list[tuple]:
    """[(department, [ambassador, ...]), ...] of serving ambassadors, in tree order."""
    grouped: dict[int, tuple] = {}
    for ambassador in serving_ambassadors(theme, on=on).order_by(
        "department__path", "agent__sort_name"
    ):
        grouped.setdefault(ambassador.department_id, (ambassador.department, []))[1].append(
            ambassador
        )
    return list(grouped.values())


@dataclass
class CoverageRow:
    department: Department
    cells: list[int]  # serving ambassadors per theme, in the order of the matrix's themes

    @property
    def gaps(self) -> int:
        return sum(1 for n in self.cells if n == 0)


@dataclass
class Coverage:
    themes: list[Theme]
    rows: list[CoverageRow]


def coverage_matrix(actor, *, department=None, theme=None, on=None) -> Coverage:
    """Departments × themes with the number of serving ambassadors in each cell.

    Three queries whatever the size: departments, themes, one grouped count.
    """
    on = on or timezone.localdate()
    themes = visible_themes(actor).filter(is_active=True)
    if theme is not None:
        themes = themes.filter(pk=theme.pk)
    themes = list(themes.order_by("name"))
    departments = Department.objects.filter(is_active=True)
    if department is not None:
        departments = departments.filter(path__startswith=department.path)
    departments = list(departments.order_by("path"))
    counts = (
        Ambassador.objects.filter(
            status=Ambassador.Status.ACTIVE,
            starts_on__lte=on,
            agent__is_active=True,
            theme__in=[t.pk for t in themes],
            department__in=[d.pk for d in departments],
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .values_list("department_id", "theme_id")
        .annotate(n=Count("pk"))
    )
    found = {(d, t): n for d, t, n in counts}
    rows = [
        CoverageRow(department=d, cells=[found.get((d.pk, t.pk), 0) for t in themes])
        for d in departments
    ]
    return Coverage(themes=themes, rows=rows)


# Ranking weights: a declared level counts most, each visible piece of evidence adds a
# little (each source's weight, intranet.experts.evidence), and capped counts keep one
# prolific author from burying everyone else.
LEVEL_WEIGHT = 10
ENDORSEMENT_WEIGHT = 2
EVIDENCE_CAP = 20


def score(level: int, endorsements: int, evidence: dict[str, int]) -> int:
    """The ranking score of one candidate (ExpertResult.score; the finder ranks with it)."""
    weights = {source.name: source.weight for source in evidence_sources()}
    return (
        level * LEVEL_WEIGHT
        + min(endorsements, EVIDENCE_CAP) * ENDORSEMENT_WEIGHT
        + sum(min(n, EVIDENCE_CAP) * weights[name] for name, n in evidence.items())
    )


@dataclass
class ExpertResult:
    agent: User
    level: int
    endorsements: int
    evidence: dict[str, int]  # pieces of visible evidence per source name ("posts", ...)
    accepts_requests: bool
    skill_labels: list[str]
    topic_labels: str

    @property
    def score(self) -> int:
        return score(self.level, self.endorsements, self.evidence)

    @property
    def reasons(self) -> list[str]:
        """Why this agent ranks here, in words (only evidence the searcher may see)."""
        reasons = [LEVEL_REASONS[self.level]()]
        if self.endorsements:
            reasons.append(
                ngettext("%(n)d endorsement", "%(n)d endorsements", self.endorsements)
                % {"n": self.endorsements}
            )
        for source in evidence_sources():
            if self.evidence.get(source.name):
                reasons.append(source.reason(self.evidence[source.name], self.topic_labels))
        return reasons


LEVEL_REASONS = {
    SkillClaim.Level.NOTIONS: lambda: gettext("declared notions"),
    SkillClaim.Level.PRACTICE: lambda: gettext("declared practice"),
    SkillClaim.Level.EXPERT: lambda: gettext("declared expert"),
}


def finder_subject(actor, query: str = "", *, theme: Theme | None = None) -> Subject | None:
    """The skills and topics a query means: a theme's (chosen, or named exactly), or the
    skills whose spellings match it (skills.selectors.skills_matching: words inside names
    and synonyms, accents, case and prefixes aside), with the #topics spelled like one of
    their names."""
    key = skill_key(query)
    if theme is None and key:
        theme = visible_themes(actor).filter(is_active=True, slug=slugify(key)).first()
    if theme is not None:
        skills = list(theme.skills.all())
        topics = list(theme.topics.all())
        return Subject(label=theme.name, skills=skills, topics=topics, theme=theme)
    skills = list(skills_matching(query)[:MAX_MATCHES]) if key else []
    if not skills:
        return None
    spellings = SkillAlias.objects.filter(skill__in=[s.pk for s in skills])
    keys = {topic_key(label) for label in spellings.values_list("label", flat=True)}
    # The skills' own #topics only: a theme's topics cover its other skills too. Only topics
    # actor may see: the reasons name them, and a secret group's #topic must stay unknown.
    topics = visible_topics(actor).filter(key__in=keys).order_by("key")
    label = ", ".join(skill.label for skill in skills)
    return Subject(label=label, skills=skills, topics=list(topics))


def subject_themes(actor, subject: Subject) -> list[Theme]:
    """The active themes actor may see that cover subject: whose ambassadors to ask."""
    if subject.theme is not None:
        return [subject.theme]
    themes = visible_themes(actor).filter(is_active=True, skills__in=[s.pk for s in subject.skills])
    return list(themes.distinct().order_by("name"))


@dataclass
class FinderSuggestions:
    """For a query that matches no skill: the nearest skills and the themes to ask."""

    skills: list
    themes: list[Theme]


def finder_suggestions(actor, query: str, *, themes: list[Theme]) -> FinderSuggestions:
    """The skills nearest to query (skills.selectors.skill_suggestions) and the themes
    among `themes` (those actor may see) to put the question to: the suggested skills'
    themes, or else the themes whose name is nearest to query."""
    skills = skill_suggestions(query)
    skill_ids = {s.pk for s in skills}
    near = []
    if skill_ids:
        covering = Theme.skills.through.objects.filter(
            skill_id__in=skill_ids, theme_id__in=[t.pk for t in themes]
        )
        covering_ids = set(covering.values_list("theme_id", flat=True))
        near = [t for t in themes if t.pk in covering_ids]
    if not near:
        names = {fold(t.name): t for t in themes}
        near = [names[n] for n in get_close_matches(skill_key(query), names, n=2, cutoff=0.6)]
    return FinderSuggestions(skills=skills, themes=near)


def expert_finder(
    actor,
    subject: Subject,
    *,
    department=None,
    office: str = "",
    level: int | None = None,
    accepts_requests: bool = False,
    limit: int = 50,
) -> list[ExpertResult]:
    """Agents actor may see who claim subject's skills, best first, each with its reasons.

    Evidence (posts, accepted answers) counts only through the access model's visible_*
    querysets for actor: what actor may not see neither ranks nor shows. The database
    scores every candidate and returns the page only (RANKING below): a fixed number of
    queries, and Python work that does not grow with the number of candidates.
    """
    claims = SkillClaim.objects.filter(visible_agents_q(actor, "agent")).filter(
        skill__in=[s.pk for s in subject.skills]
    )
    if department is not None:
        claims = claims.filter(agent__department__path__startswith=department.path)
    if office:
        claims = claims.filter(agent__office__icontains=office)
    if level:
        claims = claims.filter(level__gte=level)
    if accepts_requests:
        claims = claims.filter(accepts_requests=True)
    # One row per candidate: best level, any claim accepting requests, and endorsements by
    # visible agents over all their claims (each endorsement row belongs to one claim).
    claim_rows = (
        claims.values("agent_id")
        .annotate(
            sort_name=Max("agent__sort_name"),
            best=Max("level"),
            accepts=Max(Case(When(accepts_requests=True, then=1), default=0)),
            endorsed=Count(
                "endorsements", filter=Q(endorsements__endorser__in=visible_agents(actor))
            ),
        )
        .values_list("agent_id", "sort_name", "best", "accepts", "endorsed")
    )
    try:
        parts = [claim_rows.order_by().query.get_compiler(using=claim_rows.db).as_sql()]
    except EmptyResultSet:  # actor may see no agent
        return []
    sources = evidence_sources()
    parts += [_sql(source.rows(actor, subject), 2) for source in sources]
    params = [p for _, part_params in parts for p in part_params] + [limit]
    collate = ' COLLATE "C"' if connection.vendor == "postgresql" else ""
    sql = _ranking(sources).format(*(part for part, _ in parts), collate=collate)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        page = cursor.fetchall()
    if not page:
        return []
    agents = User.objects.select_related("department").in_bulk([row[0] for row in page])
    labels = _claimed_labels(subject, [row[0] for row in page])
    topic_labels = ", ".join(str(t) for t in subject.topics[:3])
    return [
        ExpertResult(
            agent=agents[pk],
            level=level_,
            endorsements=endorsed,
            evidence={source.name: n for source, n in zip(sources, counts, strict=True)},
            accepts_requests=bool(accepts),
            skill_labels=labels[pk],
            topic_labels=topic_labels,
        )
        for pk, level_, accepts, endorsed, *counts in page
    ]


def _capped(column: str) -> str:
    return f"(CASE WHEN {column} > {EVIDENCE_CAP} THEN {EVIDENCE_CAP} ELSE {column} END)"


def _ranking(sources) -> str:
    """The ranking in SQL: per candidate (claims grouped by agent), the visible evidence of
    each source joined; ordered by score() (same weights and caps), then sort name and id
    as tie-breaks. The parts ({0}: candidates, {1}...: one per source) are access-filtered
    querysets compiled by Django; constants and compiled SQL only, every value a parameter.
    """
    n = len(sources)
    columns = [f"e{i}" for i in range(n)]
    zeros = ["0"] * n

    def part(i):
        values = [*zeros[:i], "n", *zeros[i + 1 :]]
        row = ", ".join([*values, "0"])
        return f" UNION ALL SELECT author_id, NULL, 0, 0, 0, {row} FROM e{i}"  # noqa: S608

    evidence = "".join(f", MAX({c}) AS {c}" for c in columns)
    weighted = "".join(
        f" + {_capped(c)} * {source.weight}" for c, source in zip(columns, sources, strict=True)
    )
    return (
        "WITH candidates (agent_id, sort_name, level, accepts, endorsements) AS ({0})"  # noqa: S608
        + "".join(f", e{i} (author_id, n) AS ({{{i + 1}}})" for i in range(n))
        # UNION ALL then GROUP BY rather than joins: the planner's estimate of joined
        # aggregates explodes (millions of rows) and PostgreSQL's JIT then costs half a
        # second.
        + ", scored AS (SELECT agent_id, MAX(sort_name) AS sort_name, MAX(level) AS level,"
        " MAX(accepts) AS accepts, MAX(endorsements) AS endorsements"
        + evidence
        + ", MAX(candidate) AS candidate FROM ("
        " SELECT agent_id, sort_name, level, accepts, endorsements, "
        + "".join(f"0 AS {c}, " for c in columns)
        + "1 AS candidate FROM candidates"
        + "".join(part(i) for i in range(n))
        + ") AS parts GROUP BY agent_id)"
        " SELECT agent_id, level, accepts, endorsements"
        + "".join(f", {c}" for c in columns)
        + " FROM scored WHERE candidate = 1"
        f" ORDER BY level * {LEVEL_WEIGHT} + {_capped('endorsements')} * {ENDORSEMENT_WEIGHT}"
        + weighted
        + " DESC, sort_name{collate}, agent_id LIMIT %s"
    )


def _sql(queryset, columns: int) -> tuple[str, tuple]:
    """A queryset compiled for the default connection, to be composed into RANKING (a query
    of no row when Django knows it is empty, e.g. the access model's none())."""
    try:
        return queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return "SELECT " + ", ".join(["0"] * columns) + " WHERE 1 = 0", ()


def _claimed_labels(subject: Subject, agent_ids: list[int]) -> dict[int, list[str]]:
    """The subject's skills each agent of the page claims, by label."""
    if len(subject.skills) == 1:
        return {pk: [subject.skills[0].label] for pk in agent_ids}
    labels_of = {s.pk: s.label for s in subject.skills}
    labels: dict[int, list[str]] = {pk: [] for pk in agent_ids}
    claimed = SkillClaim.objects.filter(agent_id__in=agent_ids, skill__in=list(labels_of))
    for agent_id, skill_id in claimed.values_list("agent_id", "skill_id"):
        labels[agent_id].append(labels_of[skill_id])
    return {pk: sorted(found) for pk, found in labels.items()}


def agent_ambassador_roles(agent: User, *, on=None) -> list[Ambassador]:
    """The themes agent serves as ambassador today, for their profile."""
    on = on or timezone.localdate()
    roles = Ambassador.objects.filter(
        agent=agent, status=Ambassador.Status.ACTIVE, starts_on__lte=on, theme__is_active=True
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    return list(roles.select_related("theme", "department").order_by("theme__name"))


def department_ambassadors(department, *, on=None) -> list[Ambassador]:
    """The ambassadors serving today in department, on every active theme, by theme."""
    on = on or timezone.localdate()
    roles = Ambassador.objects.filter(
        department=department,
        status=Ambassador.Status.ACTIVE,
        starts_on__lte=on,
        agent__is_active=True,
        theme__is_active=True,
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    return list(roles.select_related("theme", "agent").order_by("theme__name", "agent__sort_name"))
