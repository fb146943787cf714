"""Learning-path completion (intranet/paths/dashboards.py) on a hand-computed fixture, and
its figure on the group dashboard: chart, table, CSV; nothing for a group without a path;
404 for outsiders; queries that do not grow with paths, steps, cohorts or agents."""

import csv
import io
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from intranet.dashboards.aggregation import aggregate_day
from intranet.dashboards.models import GroupDay
from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.paths.dashboards import completion
from intranet.paths.models import Cohort, CohortMember, LearningPath, Progress, Step
from tests.factories import GroupFactory, UserFactory

from .test_dashboards import SVG, Tables, svgs


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def end_of(day: date) -> datetime:
    return at(day + timedelta(days=1), 0)


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=1)


def make_path(group, title, steps, created):
    path = LearningPath.objects.create(group=group, title=title)
    LearningPath.objects.filter(pk=path.pk).update(created_at=created)
    return path, [
        Step.objects.create(path=path, position=n, kind="link", url=f"https://x.gouv.fr/{n}")
        for n in range(1, steps + 1)
    ]


def tick(agent, steps, when):
    Progress.objects.bulk_create(Progress(step=s, agent=agent, done_at=when) for s in steps)


@pytest.fixture
def paths(day, budget, staff, alice, bob, carol, dave, former):
    """budget (paths tool on) has path A (3 steps) and path B (2 steps), both created ten
    days before `day`, a path without steps and path C created after `day`.
    By the end of `day`:
    - alice ticked A's three steps two days before: enrolled, completed;
    - bob ticked B's two steps and A's first on `day`: enrolled, completed (B);
    - dave is in cohort "Printemps" of A (started five days before), ticked nothing:
      enrolled, not completed;
    - carol ticked A's first two steps on `day`, the third only the next day: enrolled,
      not completed (completed the next day);
    - staff ticked B's first step the next day: not enrolled yet;
    - eve is only in cohort "Été" of A, which starts the next day: not enrolled yet;
    - former (deactivated) completed A: left out;
    - path C, created the next day, whose only step dave ticks the next day: not counted.
    Hand count at the end of `day`: enrolled 4 (alice, bob, carol, dave), completed 2
    (alice, bob); at the end of the next day: enrolled 6 (+ staff, eve), completed 4
    (+ carol, + dave through C)."""
    group_services.group_tools_set(staff, budget, keys=["paths"])
    eve = UserFactory(username="eve")
    created = at(day - timedelta(days=10), 9)
    a, a_steps = make_path(budget, "A", 3, created)
    _b, b_steps = make_path(budget, "B", 2, created)
    make_path(budget, "Vide", 0, created)
    _c, c_steps = make_path(budget, "C", 1, at(day + timedelta(days=1), 9))
    tick(alice, a_steps, at(day - timedelta(days=2), 9))
    tick(bob, b_steps + a_steps[:1], at(day, 10))
    tick(carol, a_steps[:2], at(day, 11))
    tick(carol, a_steps[2:], at(day + timedelta(days=1), 8))
    tick(staff, b_steps[:1], at(day + timedelta(days=1), 8))
    tick(former, a_steps, at(day - timedelta(days=3), 9))
    tick(dave, c_steps, at(day + timedelta(days=1), 10))
    spring = Cohort.objects.create(path=a, name="Printemps", starts_on=day - timedelta(days=5))
    summer = Cohort.objects.create(path=a, name="Été", starts_on=day + timedelta(days=1))
    CohortMember.objects.create(cohort=spring, agent=dave)
    CohortMember.objects.create(cohort=spring, agent=alice)  # counted once
    CohortMember.objects.create(cohort=summer, agent=eve)
    Group.objects.update(created_at=at(day - timedelta(days=30), 9))
    return a


def test_completion_on_a_hand_computed_fixture(paths, day, budget):
    assert completion(end_of(day)) == [(budget.pk, 4, 2)]
    assert completion(end_of(day + timedelta(days=1))) == [(budget.pk, 6, 4)]
    # Before the paths existed there was nothing to complete.
    assert completion(end_of(day - timedelta(days=11))) == []


def test_no_figure_without_a_path_or_with_the_tool_off(paths, day, budget, staff):
    other = GroupFactory(name="Sans parcours")
    assert [row[0] for row in completion(end_of(day))] == [budget.pk]
    assert other.pk not in {g for g, _e, _c in completion(end_of(day))}
    group_services.group_tools_set(staff, budget, keys=[])
    assert completion(end_of(day)) == []


def test_the_group_dashboard_draws_the_completion(client, paths, day, budget, bob):
    aggregate_day(day)
    assert GroupDay.objects.get(group=budget, day=day).completion == {"paths": [4, 2]}
    client.force_login(bob)
    url = reverse("dashboards:group", args=[budget.slug])
    with translation.override("en"):
        html = client.get(url).text
        body = client.get(url, {"csv": "completion"}).content.decode("utf-8-sig")
    table = Tables()
    table.feed(html)
    label, enrolled, completed, rate = table.tables["completion"][1]
    # The page follows bob's language: compare by structure.
    assert label in ("learning paths", "parcours de formation")
    assert (enrolled, completed, rate.replace(",", ".")) == ("4", "2", "50.0 %")
    bars = [g for g in svgs(html)["completion"].iter(f"{SVG}g") if g.get("class") == "bar"]
    assert [g.get("data-value") for g in bars] == [rate]
    assert list(csv.reader(io.StringIO(body), delimiter=";")) == table.tables["completion"]


def test_a_group_without_a_path_shows_no_completion(client, paths, day, staff):
    other = GroupFactory(created_by=staff, name="Sans parcours")
    Group.objects.filter(pk=other.pk).update(created_at=at(day - timedelta(days=30), 9))
    aggregate_day(day)
    assert GroupDay.objects.get(group=other, day=day).completion == {}
    client.force_login(staff)
    url = reverse("dashboards:group", args=[other.slug])
    html = client.get(url).text
    assert "completion" not in svgs(html) and 'id="caption-completion"' not in html
    assert client.get(url, {"csv": "completion"}).status_code == 404


def test_outsiders_get_404(client, paths, day, budget, alice, carol):
    aggregate_day(day)
    url = reverse("dashboards:group", args=[budget.slug])
    for agent in (carol, alice):  # carol followed path A without being a member; alice a member
        client.force_login(agent)
        assert client.get(url).status_code == 404
        assert client.get(url, {"csv": "completion"}).status_code == 404


def test_completion_queries_do_not_grow(paths, day, budget, staff, django_assert_num_queries):
    with django_assert_num_queries(3):
        assert completion(end_of(day)) == [(budget.pk, 4, 2)]
    other = GroupFactory(created_by=staff, name="Autre")
    group_services.group_tools_set(staff, other, keys=["paths"])
    for n in range(3):
        path, steps = make_path(other, f"P{n}", 4, at(day - timedelta(days=3), 9))
        cohort = Cohort.objects.create(path=path, name="X", starts_on=day)
        for m in range(3):
            agent = UserFactory(username=f"agent{n}{m}")
            tick(agent, steps[: m + 2], at(day, 9))
            CohortMember.objects.create(cohort=cohort, agent=agent)
    with django_assert_num_queries(3):
        rows = {g: (e, c) for g, e, c in completion(end_of(day))}
    assert rows == {budget.pk: (4, 2), other.pk: (9, 3)}  # one of three completes each path


def test_the_page_queries_stay_constant_with_the_figure(client, day, budget, bob, paths):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        client.force_login(bob)
        client.get(reverse("dashboards:group", args=[budget.slug]))
        with CaptureQueriesContext(connection) as queries:
            html = client.get(reverse("dashboards:group", args=[budget.slug])).text
        return len(queries), "completion" in svgs(html)

    aggregate_day(day - timedelta(days=11))  # before the paths: no figure
    without = count()
    assert without[1] is False
    aggregate_day(day)
    assert count() == (without[0], True)
