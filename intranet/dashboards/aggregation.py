"""The daily aggregation: one day's raw activity into the dashboards' daily rows.

`aggregate_day(day)` (re)computes every row of `day` from the raw tables and from the
working table ActiveDay of the 89 days before it, so running it day after day (the daily
task) gives the same rows as rebuilding a period (the management command), provided the
days are computed in order. The one figure the raw tables cannot give for the past is the
number of members (leaving is not recorded): it is observed by the run itself and kept
when a day is recomputed (docs/dashboards.md, "Members").
"""

import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from intranet.accounts.models import AgentSession, User
from intranet.core.activity import activity_sources, completion_sources
from intranet.core.bulk import rows_insert
from intranet.dashboards.models import (
    ActiveDay,
    DepartmentDay,
    GroupDay,
    NetworkDay,
    PairDay,
)
from intranet.departments.models import Department
from intranet.experts.models import Ambassador, Theme
from intranet.groups.models import Group, Membership
from intranet.questions.models import Question

UNANSWERED_AFTER_DAYS = 7
DORMANT_AFTER_DAYS = 90


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)
    return start, end


def median(values) -> float | None:
    return statistics.median(values) if values else None


def _window(day: date, days: int) -> Q:
    return Q(day__gt=day - timedelta(days=days), day__lte=day)


def _windows_per_group(day: date) -> tuple[dict, dict, dict]:
    """Distinct agents over 7 and 30 days and distinct departments over 30 days, per
    group, in one scan of the 30 days' rows (three scans before)."""
    rows = (
        ActiveDay.objects.filter(_window(day, 30), group__isnull=False)
        .values("group_id")
        .annotate(
            a7=Count("agent", distinct=True, filter=_window(day, 7)),
            a30=Count("agent", distinct=True),
            d30=Count("department", distinct=True),
        )
    )
    active_7, active_30, departments_30 = {}, {}, {}
    for row in rows:
        group_id = row["group_id"]
        active_7[group_id], active_30[group_id] = row["a7"], row["a30"]
        departments_30[group_id] = row["d30"]
    return active_7, active_30, departments_30


def _windows_network(day: date) -> dict[str, int]:
    """Distinct agents active anywhere over 7 and 30 days, in one scan."""
    return ActiveDay.objects.filter(_window(day, 30)).aggregate(
        active_7d=Count("agent", distinct=True, filter=_window(day, 7)),
        active_30d=Count("agent", distinct=True),
    )


def _active_insert(day: date, active, departments: dict[int, int]) -> None:
    """The day's ActiveDay rows (~10,000 at size L): on PostgreSQL one INSERT of unnested
    arrays (no model instance, no statement per row), elsewhere core.bulk's rows."""
    if connection.vendor == "postgresql":
        groups, agents = zip(*active, strict=True) if active else ((), ())
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO dashboards_activeday (day, group_id, agent_id, department_id)"
                " SELECT %s, * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[])",
                [day, list(groups), list(agents), [departments.get(a) for a in agents]],
            )
        return
    rows_insert(
        ActiveDay,
        [
            {"day": day, "group_id": g, "agent_id": a, "department_id": departments.get(a)}
            for g, a in active
        ],
        batch_size=5000,
    )


def _counts(memberships) -> Counter:
    return Counter(
        dict(memberships.values("group_id").annotate(n=Count("id")).values_list("group_id", "n"))
    )


def _answer_delays(start, end) -> dict[int | None, list[int]]:
    delays = defaultdict(list)
    for group_id, created, first in Question.objects.filter(
        deleted_at__isnull=True, first_answer_at__gte=start, first_answer_at__lt=end
    ).values_list("group_id", "created_at", "first_answer_at"):
        delays[group_id].append(max(0, round((first - created).total_seconds() / 60)))
    return delays


@transaction.atomic
def aggregate_day(day: date) -> None:
    start, end = day_bounds(day)
    now = timezone.now()
    departments = dict(
        User.objects.filter(department__isnull=False).values_list("id", "department_id")
    )

    # Contributions and the working table of who was active where.
    per_group: dict[int, Counter] = defaultdict(Counter)
    per_group_department: dict[int, Counter] = defaultdict(Counter)
    network: Counter = Counter()
    active: set[tuple[int | None, int]] = set()
    pairs: Counter = Counter()
    for source in activity_sources():
        for group_id, agent_id in source.contributions(start, end):
            network[source.kind] += 1
            if group_id is not None:
                per_group[group_id][source.kind] += 1
            if agent_id is None:  # counted, tied to nobody (an anonymous vote)
                continue
            active.add((group_id, agent_id))
            if group_id is not None:
                per_group_department[group_id][str(departments.get(agent_id))] += 1
        if source.interactions is not None:
            for agent_id, other_id in source.interactions(start, end):
                a, b = departments.get(agent_id), departments.get(other_id)
                if a is not None and b is not None:
                    pairs[(a, b)] += 1
    ActiveDay.objects.filter(day=day).delete()
    _active_insert(day, active, departments)

    # Rolling windows, from the working table.
    active_7, active_30, departments_30 = _windows_per_group(day)
    groups_active_90 = set(
        ActiveDay.objects.filter(_window(day, DORMANT_AFTER_DAYS), group__isnull=False)
        .values_list("group_id", flat=True)
        .distinct()
    )

    # Members (as they are now: the run is the observation) and the questions, counted
    # by the database (GROUP BY): no membership row comes into Python.
    joined = Membership.objects.filter(joined_at__lt=end)
    members: dict[int, Counter] = defaultdict(Counter)
    for group_id, department_id, n in (
        joined.values("group_id", "agent__department_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "agent__department_id", "n")
    ):
        members[group_id][str(department_id)] += n
    new_members = _counts(joined.filter(joined_at__gte=start))
    # Dormant: a member with no row in ActiveDay for this group over the last 90 days
    # (index dashboards_active_member: group, agent, day).
    recently = ActiveDay.objects.filter(
        _window(day, DORMANT_AFTER_DAYS),
        group_id=OuterRef("group_id"),
        agent_id=OuterRef("agent_id"),
    )
    dormant = _counts(joined.exclude(Exists(recently)))
    questions = Counter(
        dict(
            Question.objects.filter(
                deleted_at__isnull=True, created_at__gte=start, created_at__lt=end
            )
            .values("group_id")
            .annotate(n=Count("id"))
            .values_list("group_id", "n")
        )
    )
    delays = _answer_delays(start, end)
    completion: dict[int, dict] = defaultdict(dict)
    for source in completion_sources():  # learning paths, when an app registers them
        for group_id, enrolled, completed in source.completion(end):
            completion[group_id][source.kind] = [enrolled, completed]

    previous = {row.group_id: row for row in GroupDay.objects.filter(day=day - timedelta(days=1))}
    existing = {row.group_id: row for row in GroupDay.objects.filter(day=day)}
    groups = list(
        Group.objects.filter(created_at__lt=end)
        .filter(Q(archived_at__isnull=True) | Q(archived_at__gte=start))
        .values_list("id", flat=True)
    )
    observed_today = day >= timezone.localdate() - timedelta(days=1)
    rows = []
    for group_id in groups:
        count = sum(members[group_id].values())
        kept = existing.get(group_id)
        if kept is not None and kept.members_observed and not observed_today:
            count, leaving, observed = kept.members, kept.leaving_members, True
        else:
            before = previous.get(group_id)
            leaving = max(0, before.members + new_members[group_id] - count) if before else 0
            observed = observed_today
        rows.append(
            GroupDay(
                group_id=group_id,
                day=day,
                members=count,
                new_members=new_members[group_id],
                leaving_members=leaving,
                members_observed=observed,
                active_7d=active_7.get(group_id, 0),
                active_30d=active_30.get(group_id, 0),
                active_departments_30d=departments_30.get(group_id, 0),
                dormant=dormant[group_id],
                contributions=dict(per_group[group_id]),
                members_by_department=dict(members[group_id]),
                contributions_by_department=dict(per_group_department[group_id]),
                questions=questions.get(group_id, 0),
                answer_delays=delays.get(group_id, []),
                completion=completion.get(group_id, {}),
                computed_at=now,
            )
        )
    GroupDay.objects.filter(day=day).delete()
    GroupDay.objects.bulk_create(rows, batch_size=2000)

    # Departments and their pairs.
    agents_per_department = Counter(
        dict(
            User.objects.filter(is_active=True, department__isnull=False)
            .values("department_id")
            .annotate(n=Count("id"))
            .values_list("department_id", "n")
        )
    )
    active_per_department = dict(
        ActiveDay.objects.filter(_window(day, 30), department__isnull=False)
        .values("department_id")
        .annotate(n=Count("agent", distinct=True))
        .values_list("department_id", "n")
    )
    outgoing: Counter = Counter()
    crossing: Counter = Counter()
    for (a, b), n in pairs.items():
        outgoing[a] += n
        if a != b:
            crossing[a] += n
    department_ids = list(Department.objects.values_list("id", flat=True))
    DepartmentDay.objects.filter(day=day).delete()
    DepartmentDay.objects.bulk_create(
        DepartmentDay(
            department_id=d,
            day=day,
            agents=agents_per_department.get(d, 0),
            active_30d=active_per_department.get(d, 0),
            interactions=outgoing[d],
            cross_interactions=crossing[d],
            computed_at=now,
        )
        for d in department_ids
    )
    _pairs_store(day, pairs)

    # The network.
    horizon = end - timedelta(days=UNANSWERED_AFTER_DAYS)
    coverage = []
    serving = (
        Ambassador.objects.filter(status=Ambassador.Status.ACTIVE, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .values("theme_id")
        .annotate(n=Count("department", distinct=True))
    )
    covered = {row["theme_id"]: row["n"] for row in serving}
    for theme_id, name in Theme.objects.filter(is_active=True).values_list("id", "name"):
        coverage.append([name, covered.get(theme_id, 0)])
    NetworkDay.objects.update_or_create(
        day=day,
        defaults={
            "agents": sum(agents_per_department.values()),
            **_windows_network(day),
            "signins": AgentSession.objects.filter(
                created_at__gte=start, created_at__lt=end
            ).count(),
            "contributions": dict(network),
            "interactions": sum(pairs.values()),
            "cross_interactions": sum(crossing.values()),
            "questions": sum(questions.values()),
            "answer_delays": [m for values in delays.values() for m in values],
            "escalated": Question.objects.filter(
                deleted_at__isnull=True, escalated_at__gte=start, escalated_at__lt=end
            ).count(),
            "unanswered": Question.objects.filter(deleted_at__isnull=True, created_at__lt=horizon)
            .filter(Q(first_answer_at__isnull=True) | Q(first_answer_at__gte=end))
            .count(),
            "groups": len(groups),
            "dormant_groups": len(set(groups) - groups_active_90),
            "ambassador_coverage": coverage,
            "departments": len(department_ids),
            "computed_at": now,
        },
    )


def _pairs_store(day: date, pairs: dict[tuple[int, int], int]) -> None:
    """The day's rows of PairDay: one for every pair that ever interacted up to this day,
    with the day's interactions and the running total since the first aggregated day
    (`cumulative`), so that a period's matrix is two days' rows (last minus the day
    before first), whatever its length."""
    before = {
        (a, b): c
        for a, b, c in PairDay.objects.filter(day=day - timedelta(days=1)).values_list(
            "source_id", "target_id", "cumulative"
        )
    }
    PairDay.objects.filter(day=day).delete()
    rows_insert(
        PairDay,
        [
            {
                "day": day,
                "source_id": a,
                "target_id": b,
                "interactions": pairs.get((a, b), 0),
                "cumulative": before.get((a, b), 0) + pairs.get((a, b), 0),
            }
            for a, b in set(before) | set(pairs)
        ],
        batch_size=5000,
    )


@transaction.atomic
def _pairs_carry(day: date) -> None:
    """Redo a later day's running totals from its own interactions (after a rebuild)."""
    _pairs_store(
        day,
        {
            (a, b): n
            for a, b, n in PairDay.objects.filter(day=day, interactions__gt=0).values_list(
                "source_id", "target_id", "interactions"
            )
        },
    )


def _analyse() -> None:
    """Refresh the planner's statistics of ActiveDay after each day of a run. Rebuilding a
    past period fills days the statistics say are empty: PostgreSQL then estimated one
    row in the 90-day window and chose a nested-loop anti-join for the dormant members
    (30 s a day at size L instead of a fraction of a second)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dashboards_activeday")


def aggregate_period(first: date, last: date, progress=None) -> int:
    """Recompute every day of [first, last] in order; progress(day) after each. The days
    already aggregated after `last` get their pairs' running totals carried forward."""
    day, n = first, 0
    while day <= last:
        aggregate_day(day)
        _analyse()
        n += 1
        if progress is not None:
            progress(day)
        day += timedelta(days=1)
    latest = PairDay.objects.order_by("-day").values_list("day", flat=True).first()
    while latest is not None and day <= latest:
        _pairs_carry(day)
        day += timedelta(days=1)
    return n
