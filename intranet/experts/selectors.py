"""Reads about themes and ambassadors."""

import datetime
import heapq
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext

from intranet.accounts.access import visible_agents
from intranet.accounts.models import User
from intranet.departments.models import Department
from intranet.experts.access import visible_themes
from intranet.experts.models import Ambassador, Theme
from intranet.people.models import Skill, SkillAlias, SkillClaim
from intranet.people.services.skills import skill_key
from intranet.questions.access import visible_answers
from intranet.questions.models import Question
from intranet.stream.access import visible_posts
from intranet.topics.models import Topic
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
# little, and capped counts keep one prolific author from burying everyone else.
LEVEL_WEIGHT = 10
ENDORSEMENT_WEIGHT = 2
POST_WEIGHT = 1
ANSWER_WEIGHT = 3
EVIDENCE_CAP = 20
# Up to this many candidates, evidence queries name them (an index on the author serves).
AUTHOR_LIST_MAX = 300


def score(level: int, endorsements: int, posts: int, answers: int) -> int:
    """The ranking score of one candidate (ExpertResult.score; the finder ranks with it)."""
    return (
        level * LEVEL_WEIGHT
        + min(endorsements, EVIDENCE_CAP) * ENDORSEMENT_WEIGHT
        + min(posts, EVIDENCE_CAP) * POST_WEIGHT
        + min(answers, EVIDENCE_CAP) * ANSWER_WEIGHT
    )


@dataclass
class Subject:
    """What a finder query stands for: skills and topics, with a label for the page."""

    label: str
    skills: list[Skill]
    topics: list[Topic]
    theme: Theme | None = None


@dataclass
class ExpertResult:
    agent: User
    level: int
    endorsements: int
    posts: int
    answers: int
    accepts_requests: bool
    skill_labels: list[str]
    topic_labels: str

    @property
    def score(self) -> int:
        return score(self.level, self.endorsements, self.posts, self.answers)

    @property
    def reasons(self) -> list[str]:
        """Why this agent ranks here, in words (only evidence the searcher may see)."""
        reasons = [LEVEL_REASONS[self.level]()]
        if self.endorsements:
            reasons.append(
                ngettext("%(n)d endorsement", "%(n)d endorsements", self.endorsements)
                % {"n": self.endorsements}
            )
        if self.answers:
            reasons.append(
                ngettext(
                    "%(n)d accepted answer on %(topics)s",
                    "%(n)d accepted answers on %(topics)s",
                    self.answers,
                )
                % {"n": self.answers, "topics": self.topic_labels}
            )
        if self.posts:
            reasons.append(
                ngettext("%(n)d post on %(topics)s", "%(n)d posts on %(topics)s", self.posts)
                % {"n": self.posts, "topics": self.topic_labels}
            )
        return reasons


LEVEL_REASONS = {
    SkillClaim.Level.NOTIONS: lambda: gettext("declared notions"),
    SkillClaim.Level.PRACTICE: lambda: gettext("declared practice"),
    SkillClaim.Level.EXPERT: lambda: gettext("declared expert"),
}


def finder_subject(actor, query: str = "", *, theme: Theme | None = None) -> Subject | None:
    """The skills and topics a query means: a theme's, or one skill's (any synonym) with
    the #topics spelled like one of its names."""
    key = skill_key(query)
    if theme is None and key:
        theme = visible_themes(actor).filter(is_active=True, slug=slugify(key)).first()
    if theme is not None:
        skills = list(theme.skills.all())
        topics = list(theme.topics.all())
        return Subject(label=theme.name, skills=skills, topics=topics, theme=theme)
    alias = SkillAlias.objects.filter(key=key).select_related("skill").first() if key else None
    if alias is None:
        return None
    skill = alias.skill
    spellings = {topic_key(label) for label in skill.aliases.values_list("label", flat=True)}
    # A skill's own #topics only: a theme's topics cover its other skills too.
    topics = Topic.objects.filter(key__in=spellings).order_by("key")
    return Subject(label=skill.label, skills=[skill], topics=list(topics))


def expert_finder(
    actor, subject: Subject, *, department=None, office: str = "", level: int | None = None,
    accepts_requests: bool = False, limit: int = 50,
) -> list[ExpertResult]:  # fmt: skip
    """Agents actor may see who claim subject's skills, best first, each with its reasons.

    Evidence (posts, accepted answers) counts only through the access model's visible_*
    querysets for actor: what actor may not see neither ranks nor shows. A fixed number of
    queries whatever the number of candidates.
    """
    endorsers = visible_agents(actor)
    claims = SkillClaim.objects.filter(
        skill__in=[s.pk for s in subject.skills], agent__in=visible_agents(actor)
    )
    if department is not None:
        claims = claims.filter(agent__department__path__startswith=department.path)
    if office:
        claims = claims.filter(agent__office__icontains=office)
    if level:
        claims = claims.filter(level__gte=level)
    if accepts_requests:
        claims = claims.filter(accepts_requests=True)
    # One row per claim with its endorsements by visible agents counted in the same query.
    rows = claims.annotate(
        n_endorsements=Count("endorsements", filter=Q(endorsements__endorser__in=endorsers))
    ).values_list(
        "agent_id", "agent__sort_name", "skill_id", "level", "accepts_requests",
        "n_endorsements",
    )  # fmt: skip
    # agent_id -> [level, accepts, labels, sort name, endorsements]
    by_agent: dict[int, list] = {}
    labels_of = {s.pk: s.label for s in subject.skills}
    for agent_id, sort_name, skill_id, claim_level, accepts, endorsed in rows.order_by():
        label = labels_of[skill_id]
        entry = by_agent.get(agent_id)
        if entry is None:
            entry = by_agent[agent_id] = [claim_level, accepts, [label], sort_name, endorsed]
        else:
            entry[0] = max(entry[0], claim_level)
            entry[1] = entry[1] or accepts
            entry[2].append(label)
            entry[4] += endorsed
    if not by_agent:
        return []
    posts = _post_evidence(actor, subject, by_agent)
    answers = _answer_evidence(actor, subject, by_agent)
    # Every candidate is scored exactly (plain tuples, no objects); only the shown page
    # becomes ExpertResult objects with their agent rows.
    keyed = (
        (-score(e[0], e[4], posts.get(pk, 0), answers.get(pk, 0)), e[3], pk)
        for pk, e in by_agent.items()
    )
    page = heapq.nsmallest(limit, keyed)
    agents = User.objects.select_related("department").in_bulk([pk for _, _, pk in page])
    topic_labels = ", ".join(str(t) for t in subject.topics[:3])
    results = []
    for _, _, pk in page:
        level_, accepts_, labels, _name, endorsed = by_agent[pk]
        results.append(
            ExpertResult(
                agent=agents[pk], level=level_, endorsements=endorsed, posts=posts.get(pk, 0),
                answers=answers.get(pk, 0), accepts_requests=accepts_,
                skill_labels=sorted(labels), topic_labels=topic_labels,
            )
        )  # fmt: skip
    return results


def _post_evidence(actor, subject: Subject, by_agent: dict) -> dict[int, int]:
    """Posts each candidate wrote with the subject's topics, among those actor may see."""
    if not subject.topics:
        return {}
    posts = visible_posts(actor).filter(topics__in=[t.pk for t in subject.topics])
    if len(by_agent) <= AUTHOR_LIST_MAX:
        posts = posts.filter(author_id__in=list(by_agent))
    # Past that, driven by the topics' index and candidates kept here: a list of thousands
    # of authors makes PostgreSQL read every post of every candidate instead.
    counts = posts.values_list("author_id").annotate(n=Count("pk", distinct=True)).order_by()
    return {author: n for author, n in counts if author in by_agent}


def _answer_evidence(actor, subject: Subject, by_agent: dict) -> dict[int, int]:
    """Accepted answers each candidate gave to questions with the subject's #topics (or on
    its theme), among the answers actor may see."""
    tagged = Question.topics.through.objects.filter(topic_id__in=[t.pk for t in subject.topics])
    on_subject = Q(question_id__in=tagged.values("question_id"))
    if subject.theme is not None:
        on_subject |= Q(question__theme=subject.theme)
    answers = visible_answers(actor).filter(on_subject, is_accepted=True)
    if len(by_agent) <= AUTHOR_LIST_MAX:
        answers = answers.filter(author_id__in=list(by_agent))
    counts = answers.values_list("author_id").annotate(n=Count("pk", distinct=True)).order_by()
    return {author: n for author, n in counts if author in by_agent}


def agent_ambassador_roles(agent: User, *, on=None) -> list[Ambassador]:
    """The themes agent serves as ambassador today, for their profile."""
    on = on or timezone.localdate()
    roles = Ambassador.objects.filter(
        agent=agent, status=Ambassador.Status.ACTIVE, starts_on__lte=on, theme__is_active=True
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    return list(roles.select_related("theme", "department").order_by("theme__name"))


def agent_accepted_answers(actor, agent: User, *, limit: int = 5):
    """Accepted answers agent wrote that actor may see (questions app's access model)."""
    answers = visible_answers(actor).filter(author=agent, is_accepted=True)
    return answers.select_related("question", "question__theme").order_by("-accepted_at")[:limit]
