"""Reads of learning paths: a group's paths with the agent's progress, a path's steps as
the agent may see them, the animators' progress report (per member, cohort, department)
and an agent's own paths for their profile. Query counts do not grow with the steps or
the members: one query per table read, the targets one query per kind."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from intranet.core import charts
from intranet.groups.models import Membership
from intranet.paths import access, targets
from intranet.paths.models import Cohort, CohortMember, LearningPath, Progress, Step


def group_paths(actor, group):
    """The group's paths with `step_count` and `done_count` (actor's own ticks)."""
    return (
        access.visible_paths(actor)
        .filter(group=group)
        .annotate(
            step_count=Count("steps", distinct=True),
            done_count=Count("steps__progress", filter=Q(steps__progress__agent_id=actor.pk)),
        )
    )


@dataclass
class StepView:
    step: Step
    target: targets.Target | None  # None: the viewer may not see it ("unavailable")
    done: bool
    first: bool = False
    last: bool = False


def path_steps(actor, path: LearningPath) -> list[StepView]:
    done = Progress.objects.filter(step=OuterRef("pk"), agent_id=actor.pk)
    steps = list(Step.objects.filter(path=path).annotate(done=Exists(done)))
    found = targets.resolve(actor, path.group, steps)
    views = [StepView(step, found.get(step.pk), step.done) for step in steps]
    if views:
        views[0].first, views[-1].last = True, True
    return views


@dataclass
class Row:
    label: str
    members: int
    done: int  # steps done, summed over the members
    percent: int  # of the steps the members have to do
    extra: dict = field(default_factory=dict)


def _percent(done: int, members: int, steps: int) -> int:
    return round(100 * done / (members * steps)) if members and steps else 0


def progress_report(path: LearningPath) -> dict:
    """Per member (the group's members and the cohorts'), per cohort and per department;
    each with its SVG chart (the polls' bar chart) and the figures for its data table."""
    step_count = Step.objects.filter(path=path).count()
    done = dict(
        Progress.objects.filter(step__path=path)
        .values_list("agent_id")
        .annotate(n=Count("pk"))
        .values_list("agent_id", "n")
    )
    members = {
        m.agent_id: m.agent
        for m in Membership.objects.filter(group_id=path.group_id, agent__is_active=True)
        .select_related("agent__department")
        .order_by("agent__last_name", "agent__first_name", "agent_id")
    }
    cohort_of: dict[int, list[str]] = {}
    cohorts = list(Cohort.objects.filter(path=path))
    names = {c.pk: c.name for c in cohorts}
    for cohort_id, agent_id in CohortMember.objects.filter(cohort__path=path).values_list(
        "cohort_id", "agent_id"
    ):
        cohort_of.setdefault(agent_id, []).append(names[cohort_id])
    member_rows = []
    for agent_id, agent in members.items():
        n = done.get(agent_id, 0)
        member_rows.append(
            Row(
                agent.get_full_name() or agent.username,
                1,
                n,
                _percent(n, 1, step_count),
                {
                    "department": agent.department.name if agent.department else "",
                    "cohorts": ", ".join(cohort_of.get(agent_id, [])),
                },
            )
        )
    cohort_rows = []
    for cohort in cohorts:
        ids = [a for a, cs in cohort_of.items() if cohort.name in cs and a in members]
        total = sum(done.get(a, 0) for a in ids)
        cohort_rows.append(
            Row(cohort.name, len(ids), total, _percent(total, len(ids), step_count),
                {"starts_on": cohort.starts_on})
        )  # fmt: skip
    by_department: dict[str, list[int]] = {}
    for agent_id, agent in members.items():
        name = agent.department.name if agent.department else _("No department")
        by_department.setdefault(name, []).append(agent_id)
    department_rows = []
    for name in sorted(by_department):
        ids = by_department[name]
        total = sum(done.get(a, 0) for a in ids)
        department_rows.append(Row(name, len(ids), total, _percent(total, len(ids), step_count)))
    return {
        "step_count": step_count,
        "member_rows": member_rows,
        "cohort_rows": cohort_rows,
        "department_rows": department_rows,
        "member_chart": _chart(member_rows),
        "cohort_chart": _chart(cohort_rows),
        "department_chart": _chart(department_rows),
    }


def _chart(rows: list[Row]):
    """The polls' SVG bar chart: bar length = steps done, its value "done (percent %)"."""
    if not rows:
        return ""
    return charts.bar_chart([charts.Bar(r.label, r.done, r.percent) for r in rows])


def report_csv_rows(path: LearningPath, report: dict) -> list[list]:
    rows = [[_("Member"), _("Department"), _("Cohorts"), _("Steps done"), _("Completion (%)")]]
    for r in report["member_rows"]:
        rows.append([r.label, r.extra["department"], r.extra["cohorts"], r.done, r.percent])
    return rows


def agent_paths(viewer, agent) -> list:
    """The paths of agent's groups with their own progress: for their own profile only."""
    if viewer.pk != agent.pk:
        return []
    member_of = Membership.objects.filter(agent_id=agent.pk).values("group_id")
    return list(
        access.visible_paths(viewer)
        .filter(group_id__in=member_of)
        .select_related("group")
        .annotate(
            step_count=Count("steps", distinct=True),
            done_count=Count("steps__progress", filter=Q(steps__progress__agent_id=agent.pk)),
        )
        .filter(step_count__gt=0)
        .order_by("group__name", "title")[:50]
    )


CANDIDATE_LIMIT = 200


def step_candidates(actor, group) -> list[tuple[str, list[tuple[str, str]]]]:
    """What an animator may point a step to: the group's content they see, by kind."""
    from intranet.documents.access import visible_documents
    from intranet.events.access import visible_events
    from intranet.polls.access import visible_polls
    from intranet.questions.access import visible_questions
    from intranet.wiki.access import visible_pages

    kinds = [
        (Step.Kind.WIKI, visible_pages(actor).filter(group=group).order_by("title"), "title"),
        (
            Step.Kind.DOCUMENT,
            visible_documents(actor).filter(group=group).order_by("name"),
            "name",
        ),
        (
            Step.Kind.EVENT,
            visible_events(actor).filter(group=group).order_by("-starts_at"),
            "title",
        ),
        (Step.Kind.POLL, visible_polls(actor, group).order_by("-created_at"), "question"),
        (
            Step.Kind.QUESTION,
            visible_questions(actor).filter(group=group).order_by("-pk"),
            "title",
        ),
    ]
    groups = []
    for kind, queryset, title in kinds:
        rows = queryset.values_list("pk", title)[:CANDIDATE_LIMIT]
        options = [(f"{kind}:{pk}", text) for pk, text in rows]
        if options:
            groups.append((str(Step.Kind(kind).label).capitalize(), options))
    return groups
