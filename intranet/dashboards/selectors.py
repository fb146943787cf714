"""The dashboards' figures, read from the pre-aggregated daily rows only.

A Figure is one picture, its data table and its CSV: the same cells feed all three (the
CSV equals the table). In organisation-wide views (network, silos) a cell counting
agents between 1 and 4 is shown as "< 5" (docs/dashboards.md, "Small counts").
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from django.db.models import Q, Subquery
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from intranet.core.activity import activity_sources, completion_sources
from intranet.dashboards import charts
from intranet.dashboards.aggregation import DORMANT_AFTER_DAYS, median
from intranet.dashboards.charts import escape
from intranet.dashboards.models import ActiveDay, DepartmentDay, GroupDay, NetworkDay, PairDay
from intranet.departments.models import Department
from intranet.groups.models import Group, Membership

SMALL = 5
PERIODS = {"30": 30, "90": 90, "365": 365}
MAX_DAYS = 731


@dataclass
class Period:
    key: str
    first: date
    last: date

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass
class Figure:
    slug: str
    title: str
    headers: list[str]
    rows: list[list[str]]
    chart: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def body(self) -> str:
        """The table's rows as HTML (built here: a template loop over 365 rows is slow)."""
        return mark_safe(  # noqa: S308  (every cell is escaped)
            "".join(
                "<tr>"
                + "".join(
                    f'<th scope="row">{escape(cell)}</th>' if i == 0 else f"<td>{escape(cell)}</td>"
                    for i, cell in enumerate(row)
                )
                + "</tr>"
                for row in self.rows
            )
        )


def period_from(params, last: date | None = None) -> Period:
    """The period asked by ?period=30|90|365|custom&start=&end= (never an error: a bad
    value falls back to 30 days)."""
    last = last or timezone.localdate() - timedelta(days=1)
    key = str(params.get("period", "30"))
    if key == "custom":
        try:
            first = date.fromisoformat(str(params.get("start", ""))[:10])
            end = date.fromisoformat(str(params.get("end", ""))[:10])
        except ValueError:
            key = "30"
        else:
            end = min(end, last)
            if first <= end and (end - first).days < MAX_DAYS:
                return Period("custom", first, end)
            key = "30"
    days = PERIODS.get(key, 30)
    key = key if key in PERIODS else "30"
    return Period(key, last - timedelta(days=days - 1), last)


def number(n) -> str:
    return _number(n, get_language())


@lru_cache(maxsize=4096)
def _number(n, language) -> str:
    return formats.number_format(n, 0, use_l10n=True, force_grouping=True)


def percent(part, whole) -> str:
    if not whole:
        return "–"
    return formats.number_format(100 * part / whole, 1, use_l10n=True) + " %"


def day_label(d: date) -> str:
    return _day_label(d, get_language())


@lru_cache(maxsize=4096)
def _day_label(d: date, language) -> str:
    return formats.date_format(d, "SHORT_DATE_FORMAT")


def minutes_label(minutes) -> str:
    if minutes is None:
        return "–"
    if minutes < 120:
        return _("%(n)s min") % {"n": number(round(minutes))}
    return _("%(n)s h") % {"n": formats.number_format(minutes / 60, 1, use_l10n=True)}


def shown(n: int, masked: bool) -> str:
    return "< 5" if masked and 0 < n < SMALL else number(n)


def _source_labels() -> dict[str, str]:
    return {s.kind: str(s.label) for s in activity_sources()}


def _department_names() -> dict[str, str]:
    return {str(pk): name for pk, name in Department.objects.values_list("id", "name")}


def computed_at(rows) -> object:
    return max((row.computed_at for row in rows), default=None)


def _active_figure(slug, rows, period, masked) -> Figure:
    by_day = {row.day: row for row in rows}
    labels = [day_label(d) for d in period.days]
    series7 = [by_day[d].active_7d if d in by_day else None for d in period.days]
    series30 = [by_day[d].active_30d if d in by_day else None for d in period.days]
    if masked:
        series7 = [None if v is not None and 0 < v < SMALL else v for v in series7]
        series30 = [None if v is not None and 0 < v < SMALL else v for v in series30]
    title = _("Active agents over 7 and 30 days")
    table = [
        [day_label(d), shown(by_day[d].active_7d, masked), shown(by_day[d].active_30d, masked)]
        for d in period.days
        if d in by_day
    ]
    chart = charts.line_chart(
        slug, title, labels, [(_("7 days"), series7), (_("30 days"), series30)], number
    )
    return Figure(
        slug, title, [_("Day"), _("Active over 7 days"), _("Active over 30 days")], table, chart
    )


def _contributions_figure(slug, rows) -> Figure:
    totals: Counter = Counter()
    for row in rows:
        totals.update(row.contributions)
    labels = _source_labels()
    items = [(labels.get(k, k), totals[k], number(totals[k])) for k in labels]
    title = _("Contributions by kind")
    return Figure(
        slug,
        title,
        [_("Kind"), _("Contributions")],
        [[label, text] for label, _v, text in items],
        charts.bar_chart(slug, title, items, number),
    )


def _completion_figure(completion: dict) -> Figure:
    """Learning-path completion as it stood on the period's last day (counts only)."""
    labels = {s.kind: str(s.label) for s in completion_sources()}
    title = _("Learning-path completion")
    rows, items = [], []
    for kind, (enrolled, completed) in sorted(completion.items()):
        label = labels.get(kind, kind)
        rows.append([label, number(enrolled), number(completed), percent(completed, enrolled)])
        items.append(
            (label, 100 * completed / enrolled if enrolled else 0, percent(completed, enrolled))
        )
    return Figure(
        "completion",
        title,
        [_("Learning paths"), _("Agents enrolled"), _("Agents who completed"), _("Completion")],
        rows,
        charts.bar_chart("completion", title, items, number),
    )


def group_dashboard(group: Group, period: Period, *, with_dormant_list: bool) -> dict:
    rows = list(
        GroupDay.objects.filter(group=group, day__gte=period.first, day__lte=period.last).order_by(
            "day"
        )
    )
    names = _department_names()
    last = rows[-1] if rows else None
    figures = [
        _active_figure("active", rows, period, False),
        _contributions_figure("contributions", rows),
    ]

    title = _("New and leaving members")
    figures.append(
        Figure(
            "members",
            title,
            [_("Day"), _("Members"), _("New members"), _("Leaving members")],
            [
                [
                    day_label(r.day),
                    number(r.members),
                    number(r.new_members),
                    number(r.leaving_members),
                ]
                for r in rows
            ],
            charts.line_chart(
                "members",
                title,
                [day_label(r.day) for r in rows],
                [
                    (_("New members"), [r.new_members for r in rows]),
                    (_("Leaving members"), [r.leaving_members for r in rows]),
                ],
                number,
            ),
        )
    )

    contributions: Counter = Counter()
    for row in rows:
        contributions.update(row.contributions_by_department)
    members = Counter(last.members_by_department if last else {})
    keys = sorted(set(members) | set(contributions), key=lambda k: (-members[k], -contributions[k]))
    label = lambda k: names.get(k, _("No department"))  # noqa: E731
    title = _("Members and contributions by department")
    figures.append(
        Figure(
            "departments",
            title,
            [_("Department"), _("Members"), _("Contributions")],
            [[label(k), number(members[k]), number(contributions[k])] for k in keys],
            charts.bar_chart(
                "departments",
                title,
                [(label(k), contributions[k], number(contributions[k])) for k in keys],
                number,
            ),
        )
    )

    delays = [m for r in rows for m in r.answer_delays]
    title = _("Questions and answers")
    figures.append(
        Figure(
            "questions",
            title,
            [_("Measure"), _("Value")],
            [
                [_("Questions asked"), number(sum(r.questions for r in rows))],
                [_("Questions answered for the first time"), number(len(delays))],
                [_("Median time to the first answer"), minutes_label(median(delays))],
                [
                    _("Dormant members (no activity for 90 days)"),
                    number(last.dormant if last else 0),
                ],
                [_("Members"), number(last.members if last else 0)],
            ],
        )
    )
    if last is not None and last.completion:
        figures.append(_completion_figure(last.completion))
    dormant = None
    if with_dormant_list and last is not None:
        window = last.day - timedelta(days=DORMANT_AFTER_DAYS - 1)
        active = ActiveDay.objects.filter(group=group, day__gte=window, day__lte=last.day).values(
            "agent_id"
        )
        dormant = list(
            Membership.objects.filter(group=group)
            .exclude(agent_id__in=active)
            .select_related("agent")
            .order_by("agent__last_name", "agent__first_name")
            .values_list("agent__first_name", "agent__last_name")
        )
    return {"figures": figures, "computed_at": computed_at(rows), "dormant": dormant}


def network_dashboard(period: Period) -> dict:
    rows = list(
        NetworkDay.objects.filter(day__gte=period.first, day__lte=period.last).order_by("day")
    )
    last = rows[-1] if rows else None
    figures = [
        _active_figure("active", rows, period, True),
        _contributions_figure("contributions", rows),
    ]
    title = _("Sign-ins per day")
    figures.append(
        Figure(
            "signins",
            title,
            [_("Day"), _("Sign-ins")],
            [[day_label(r.day), shown(r.signins, True)] for r in rows],
            charts.line_chart(
                "signins",
                title,
                [day_label(r.day) for r in rows],
                [(_("Sign-ins"), [None if 0 < r.signins < SMALL else r.signins for r in rows])],
                number,
            ),
        )
    )
    names = _department_names()
    adoption = []
    if last is not None:
        for row in DepartmentDay.objects.filter(day=last.day).order_by("department__name"):
            name = names.get(str(row.department_id), "")
            if row.agents and 0 < row.active_30d < SMALL:
                adoption.append((name, 0, "< 5", shown(row.agents, True)))
            else:
                share = 100 * row.active_30d / row.agents if row.agents else 0
                adoption.append(
                    (name, share, percent(row.active_30d, row.agents), shown(row.agents, True))
                )
    title = _("Adoption per department (share of its agents active over 30 days)")
    figures.append(
        Figure(
            "adoption",
            title,
            [_("Department"), _("Agents"), _("Active over 30 days")],
            [[name, agents, text] for name, _v, text, agents in adoption],
            charts.bar_chart("adoption", title, [(n, v, t) for n, v, t, _a in adoption], number),
        )
    )
    ranked = []
    if last is not None:
        ranked = list(
            GroupDay.objects.filter(day=last.day, active_departments_30d__gt=0)
            .order_by("-active_departments_30d", "group__name")
            .values_list("group__name", "active_departments_30d")[:20]
        )
    title = _("Groups by number of departments active in them (30 days)")
    figures.append(
        Figure(
            "groups",
            title,
            [_("Group"), _("Departments active")],
            [[name, number(n)] for name, n in ranked],
            charts.bar_chart("groups", title, [(name, n, number(n)) for name, n in ranked], number),
        )
    )
    coverage = last.ambassador_coverage if last else []
    title = _("Ambassador coverage per theme (departments with a serving ambassador)")
    figures.append(
        Figure(
            "coverage",
            title,
            [_("Theme"), _("Departments covered"), _("Departments")],
            [[name, number(n), number(last.departments)] for name, n in coverage],
            charts.bar_chart(
                "coverage", title, [(name, n, number(n)) for name, n in coverage], number
            ),
        )
    )
    delays = [m for r in rows for m in r.answer_delays]
    title = _("Questions and their routing")
    figures.append(
        Figure(
            "questions",
            title,
            [_("Measure"), _("Value")],
            [
                [_("Questions asked"), number(sum(r.questions for r in rows))],
                [_("Median time to the first answer"), minutes_label(median(delays))],
                [_("Questions escalated"), number(sum(r.escalated for r in rows))],
                [_("Unanswered after 7 days (last day)"), number(last.unanswered if last else 0)],
                [_("Groups"), number(last.groups if last else 0)],
                [
                    _("Dormant groups (no activity for 90 days)"),
                    number(last.dormant_groups if last else 0),
                ],
            ],
        )
    )
    return {"figures": figures, "computed_at": computed_at(rows)}


def _pair_totals(period: Period) -> dict[tuple[int, int], int]:
    """Interactions per pair over the period: the running totals of its last aggregated day
    minus those of the last aggregated day before it (two days' rows, in one query,
    whatever the period's length)."""

    def latest(q):
        return Subquery(PairDay.objects.filter(q).order_by("-day").values("day")[:1])

    rows = PairDay.objects.filter(
        Q(day=latest(Q(day__lte=period.last, day__gte=period.first)))
        | Q(day=latest(Q(day__lt=period.first)))
    ).values_list("day", "source_id", "target_id", "cumulative")
    totals: Counter = Counter()
    for day, a, b, cumulative in rows:
        totals[(a, b)] += cumulative if day >= period.first else -cumulative
    return {pair: n for pair, n in totals.items() if n > 0}


def _together(pairs) -> dict[int, Counter]:
    """For each department, its interactions with each other one, in either direction."""
    together: dict[int, Counter] = {}
    for (a, b), n in pairs.items():
        if a != b:
            together.setdefault(a, Counter())[b] += n
            together.setdefault(b, Counter())[a] += n
    return together


def _partners(department_id, together, ids) -> tuple[list[tuple[int, int]], list[int]]:
    together = together.get(department_id, Counter())
    top = sorted(together.items(), key=lambda kv: -kv[1])[:3]
    never = [d for d in ids if d != department_id and not together[d]]
    return top, never


def silo_dashboard(period: Period, department: Department | None = None) -> dict:
    names = dict(Department.objects.order_by("name").values_list("id", "name"))
    ids = list(names)
    pairs = _pair_totals(period)
    figures = []
    if department is None:
        rows = list(
            NetworkDay.objects.filter(day__gte=period.first, day__lte=period.last).order_by("day")
        )
    else:
        rows = list(
            DepartmentDay.objects.filter(
                department=department, day__gte=period.first, day__lte=period.last
            ).order_by("day")
        )
    title = _("Share of interactions crossing department lines")
    figures.append(
        Figure(
            "share",
            title,
            [
                _("Day"),
                _("Interactions"),
                _("Crossing department lines"),
                pgettext("proportion", "Share"),
            ],
            [
                [
                    day_label(r.day),
                    shown(r.interactions, True),
                    shown(r.cross_interactions, True),
                    percent(r.cross_interactions, r.interactions),
                ]
                for r in rows
            ],
            charts.line_chart(
                "share",
                title,
                [day_label(r.day) for r in rows],
                [
                    (
                        _("Share (%)"),
                        [
                            round(100 * r.cross_interactions / r.interactions, 1)
                            if r.interactions
                            else None
                            for r in rows
                        ],
                    )
                ],
                lambda v: formats.number_format(v, 1, use_l10n=True) + " %",
            ),
        )
    )
    total = sum(r.interactions for r in rows)
    cross = sum(r.cross_interactions for r in rows)
    summary = percent(cross, total)
    if department is None:
        title = _("Interactions between departments (from the row's department to the column's)")
        texts: dict[int, str] = {}  # one formatting per distinct value, not per cell

        def cell(n: int) -> tuple[int, str]:
            if n not in texts:
                texts[n] = shown(n, True)
            return n, texts[n]

        cells = [[cell(pairs.get((a, b), 0)) for b in ids] for a in ids]
        labels = [names[d] for d in ids]
        figures.append(
            Figure(
                "matrix",
                title,
                [_("From \\ to"), *labels],
                [[labels[i], *[s for _v, s in cells[i]]] for i in range(len(ids))],
                charts.heat_map("matrix", title, labels, cells),
            )
        )
    title = _("Partner departments")
    partner_rows, together = [], _together(pairs)
    for d in [department.pk] if department else ids:
        top, never = _partners(d, together, ids)
        partner_rows.append(
            [
                names[d],
                ", ".join(f"{names[p]} ({shown(n, True)})" for p, n in top) or "–",
                ", ".join(names[p] for p in never) or "–",
            ]
        )
    figures.append(
        Figure(
            "partners",
            title,
            [_("Department"), _("Top partner departments"), _("Never interacts with")],
            partner_rows,
        )
    )
    return {
        "figures": figures,
        "computed_at": computed_at(rows),
        "summary": summary,
        "departments": names,
    }


def figure_by_slug(figures, slug) -> Figure | None:
    return next((f for f in figures if f.slug == slug), None)


def department_by_id(department_id) -> Department | None:
    return Department.objects.filter(pk=department_id).first()
