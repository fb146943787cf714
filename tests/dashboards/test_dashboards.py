"""The dashboards: every measure on a hand-computed fixture, who sees what, the small-count
threshold, SVG and CSV, incremental aggregation equal to a rebuild, hostile names."""

import csv
import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from intranet.dashboards.aggregation import aggregate_day
from intranet.dashboards.models import GroupDay, NetworkDay, PairDay
from intranet.dashboards.tasks import dashboards_aggregate_missing
from intranet.groups.models import Group, Membership
from intranet.questions.models import Answer, Question
from intranet.stream.models import Comment, Post, Reaction
from tests.factories import (
    AnswerFactory,
    CommentFactory,
    GroupFactory,
    PostFactory,
    QuestionFactory,
    UserFactory,
    make_department,
)

# The organisation-wide figures whose cells count agents (or their interactions).
AGENT_COUNTS = {"active", "signins", "adoption", "share", "matrix"}
SVG = "{http://www.w3.org/2000/svg}"


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=1)


@pytest.fixture
def activity(day, budget, alice, bob, carol, staff):
    """On `day`, in budget (staff owner, bob animator, alice and carol members, all joined
    ten days before): alice posts; carol (HR) and bob comment on it; carol reacts to it;
    alice asks an organisation-wide question which carol answers 90 minutes later."""
    Membership.objects.create(group=budget, agent=carol)
    Membership.objects.filter(group=budget).update(joined_at=at(day - timedelta(days=10), 9))
    Group.objects.update(created_at=at(day - timedelta(days=30), 9))
    post = PostFactory(author=alice, visibility="group", group=budget)
    CommentFactory(post=post, author=carol)
    CommentFactory(post=post, author=bob)
    Reaction.objects.create(agent=carol, post=post, kind="like")
    question = QuestionFactory(author=alice)
    AnswerFactory(question=question, author=carol)
    Post.objects.update(created_at=at(day, 9))
    Comment.objects.update(created_at=at(day, 10))
    Reaction.objects.update(created_at=at(day, 10))
    Question.objects.update(created_at=at(day, 10), first_answer_at=at(day, 11, 30))
    Answer.objects.update(created_at=at(day, 11, 30))
    return post


@pytest.fixture
def aggregated(activity, day):
    aggregate_day(day)
    return day


def test_group_measures_on_a_hand_computed_fixture(aggregated, budget, finance, carol):
    row = GroupDay.objects.get(group=budget, day=aggregated)
    assert row.contributions == {"posts": 1, "comments": 2, "reactions": 1}
    assert (row.active_7d, row.active_30d) == (3, 3)  # alice, bob, carol
    assert row.members == 4 and row.new_members == 0
    assert row.dormant == 1  # staff, the owner, did nothing
    assert row.active_departments_30d == 2
    assert row.members_by_department == {
        str(finance.pk): 2,
        str(carol.department_id): 1,
        "None": 1,
    }
    assert row.contributions_by_department == {str(finance.pk): 2, str(carol.department_id): 2}


def test_network_and_silo_measures_on_a_hand_computed_fixture(aggregated, finance, carol):
    row = NetworkDay.objects.get(day=aggregated)
    assert row.contributions == {
        "posts": 1,
        "comments": 2,
        "reactions": 1,
        "questions": 1,
        "answers": 1,
    }
    assert row.answer_delays == [90]
    # carol -> alice: comment, reaction, answer (crossing); bob -> alice: comment (not).
    assert (row.interactions, row.cross_interactions) == (4, 3)
    pairs = {(p.source_id, p.target_id): p.interactions for p in PairDay.objects.all()}
    assert pairs == {(carol.department_id, finance.pk): 3, (finance.pk, finance.pk): 1}


def test_dormant_members_and_dormant_groups(aggregated, day, budget):
    later = day + timedelta(days=90)  # the activity is out of the 90 days' window
    aggregate_day(later)
    assert GroupDay.objects.get(group=budget, day=later).dormant == 4
    assert NetworkDay.objects.get(day=later).dormant_groups == 1
    assert NetworkDay.objects.get(day=aggregated).dormant_groups == 0


def test_leaving_members_are_derived_from_the_observed_counts(aggregated, day, budget, carol):
    Membership.objects.filter(group=budget, agent=carol).delete()
    aggregate_day(day + timedelta(days=1))
    row = GroupDay.objects.get(group=budget, day=day + timedelta(days=1))
    assert (row.members, row.leaving_members) == (3, 1)


def test_incremental_aggregation_equals_a_full_rebuild(activity, day, budget):
    def snapshot():
        fields = lambda row: {  # noqa: E731
            k: v for k, v in row.__dict__.items() if k not in {"_state", "id", "computed_at"}
        }
        return (
            [fields(r) for r in GroupDay.objects.order_by("group_id", "day")],
            [fields(r) for r in NetworkDay.objects.order_by("day")],
            sorted(tuple(fields(r).values()) for r in PairDay.objects.all()),
        )

    for n in (3, 2, 1):
        dashboards_aggregate_missing(today=day - timedelta(days=n - 2))
    incremental = snapshot()
    assert NetworkDay.objects.count() == 3
    out = io.StringIO()
    call_command(
        "dashboards_rebuild", "--from", str(day - timedelta(days=2)), "--to", str(day), stdout=out
    )
    assert "3 day(s) aggregated" in out.getvalue()
    assert snapshot() == incremental


class Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables, self._cell = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "caption":
            self._caption = attrs.get("id", "").removeprefix("caption-")
            self.tables[self._caption] = []
        elif tag == "tr":
            self.tables[self._caption].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._caption][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def svgs(html):
    return {
        m.group(1): ET.fromstring(m.group(0))  # noqa: S314  (our own page, in a test)
        for m in re.finditer(r'<svg xmlns[^>]* id="([\w-]+)">.*?</svg>', html, re.S)
    }


def test_group_dashboard_charts_table_and_csv_agree(client, aggregated, budget, bob):
    client.force_login(bob)
    url = reverse("dashboards:group", args=[budget.slug])
    html = client.get(url).content.decode()
    chart = svgs(html)["contributions"]
    values = {
        g.find(f"{SVG}title").text.split(" : ")[0]: g.get("data-value")
        for g in chart.iter(f"{SVG}g")
        if g.get("class") == "bar"
    }
    assert values["publications"] == "1" and values["commentaires"] == "2"  # posts, comments
    table = Tables()
    table.feed(html)
    response = client.get(url, {"csv": "contributions"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows == table.tables["contributions"]
    assert client.get(url, {"csv": "nope"}).status_code == 404


def test_dormant_list_only_for_the_groups_animators(client, aggregated, budget, bob):
    other_staff = UserFactory(username="staff2", is_staff=True)
    client.force_login(bob)
    assert "Site Admin" in client.get(reverse("dashboards:group", args=[budget.slug])).text
    client.force_login(other_staff)
    page = client.get(reverse("dashboards:group", args=[budget.slug]))
    assert page.status_code == 200 and "Site Admin" not in page.text


def test_animator_of_another_group_gets_404(client, aggregated, budget, carol, alice):
    other = GroupFactory(created_by=carol, name="Autre")
    assert other.memberships.filter(agent=carol, role="owner").exists()
    for agent in (carol, alice):  # carol animates another group; alice is a plain member
        client.force_login(agent)
        assert client.get(reverse("dashboards:group", args=[budget.slug])).status_code == 404
        assert client.get(reverse("dashboards:network")).status_code == 404
        assert client.get(reverse("dashboards:silos")).status_code == 404
    client.force_login(carol)
    assert client.get(reverse("dashboards:group", args=[other.slug])).status_code == 200


def test_small_counts_hidden_in_every_organisation_wide_view(client, aggregated, staff, carol):
    client.force_login(staff)
    pages = [
        reverse("dashboards:network"),
        reverse("dashboards:silos"),
        reverse("dashboards:silos-department", args=[carol.department_id]),
    ]
    for url in pages:
        html = client.get(url).text
        table = Tables()
        table.feed(html)
        for slug, rows in table.tables.items():
            for row in rows[1:] if slug in AGENT_COUNTS else []:
                for cell in row[1:]:
                    assert cell not in {"1", "2", "3", "4"}, (url, slug, row)
            response = client.get(url, {"csv": slug})
            body = response.content.decode("utf-8-sig")
            assert list(csv.reader(io.StringIO(body), delimiter=";")) == rows
    network = client.get(pages[0]).text
    assert "&lt; 5" in network
    matrix = svgs(client.get(pages[1]).text)["matrix"]
    shown = [g.get("data-value") for g in matrix.iter(f"{SVG}g") if g.get("class") == "cell"]
    assert "< 5" in shown and "3" not in shown and "1" not in shown


def test_hostile_names_in_charts_and_csv(client, day, staff):
    hostile = '=HYPERLINK("http://x")<script>alert(1)</script>'
    sales = make_department("+cmd|' /C calc'!A0 <b>")
    agent = UserFactory(department=sales)
    group = GroupFactory(created_by=agent, name=hostile)
    Membership.objects.filter(group=group).update(joined_at=at(day - timedelta(days=1), 9))
    Group.objects.update(created_at=at(day - timedelta(days=30), 9))
    PostFactory(author=agent, visibility="group", group=group)
    Post.objects.update(created_at=at(day, 9))
    aggregate_day(day)
    client.force_login(staff)
    for url, slug in (
        (reverse("dashboards:network"), "groups"),
        (reverse("dashboards:network"), "adoption"),
        (reverse("dashboards:silos"), "partners"),
        (reverse("dashboards:group", args=[group.slug]), "departments"),
    ):
        html = client.get(url).text
        assert "<script>alert" not in html and "<b>" not in html
        svgs(html)  # every chart parses as XML
        body = client.get(url, {"csv": slug}).content.decode("utf-8-sig")
        for row in csv.reader(io.StringIO(body), delimiter=";"):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), cell


@pytest.mark.parametrize(
    "params",
    [
        {"period": "custom", "start": "garbage", "end": "2026-13-45"},
        {"period": "custom", "start": "2020-01-01", "end": "2026-01-01"},
        {"period": "99999"},
        {"period": "custom", "start": "2026-02-01", "end": "2026-01-01"},
        {"period": "365"},
    ],
)
def test_bad_periods_fall_back(client, aggregated, staff, params):
    client.force_login(staff)
    assert client.get(reverse("dashboards:network"), params).status_code == 200
    assert client.get(reverse("dashboards:silos"), params).status_code == 200


def test_links_on_the_group_page_and_in_the_header(client, budget, bob, alice, staff):
    client.force_login(bob)
    page = client.get(reverse("groups:group-detail", args=[budget.slug])).text
    assert reverse("dashboards:group", args=[budget.slug]) in page
    assert 'href="/dashboards/"' not in page
    client.force_login(alice)
    page = client.get(reverse("groups:group-detail", args=[budget.slug])).text
    assert reverse("dashboards:group", args=[budget.slug]) not in page
    client.force_login(staff)
    assert 'href="/dashboards/"' in client.get("/").text


def test_every_page_query_count_is_constant(client, aggregated, day, staff, bob, budget, carol):
    """The same number of queries for 30 days and 12 months, and after more days, groups
    and departments are aggregated: the pages read daily rows, never one query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = [
        (staff, reverse("dashboards:network")),
        (staff, reverse("dashboards:silos")),
        (staff, reverse("dashboards:silos-department", args=[carol.department_id])),
        (bob, reverse("dashboards:group", args=[budget.slug])),
    ]

    def counts():
        seen = []
        for agent, url in pages:
            client.force_login(agent)
            client.get(url)  # the first request of a session fills per-process caches
            for period in ("30", "365"):
                with CaptureQueriesContext(connection) as queries:
                    assert client.get(url, {"period": period}).status_code == 200
                seen.append(len(queries))
        return seen

    before = counts()
    assert max(before) <= 20
    for n in range(3):
        GroupFactory(name=f"Autre {n}")
        make_department(f"Service {n}")
    for n in (3, 2):
        aggregate_day(day - timedelta(days=n))
    aggregate_day(day)
    assert counts() == before


def test_the_daily_run_is_scheduled_after_midnight():
    from intranet.core.schedule import _registry
    from intranet.dashboards.tasks import AGGREGATION_JOB, next_aggregation

    assert AGGREGATION_JOB in _registry
    today = timezone.localdate()
    assert next_aggregation(at(today, 1)) == at(today, 2, 30)
    assert next_aggregation(at(today, 3)) == at(today + timedelta(days=1), 2, 30)


def test_the_rebuild_command_refuses_bad_dates(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("dashboards_rebuild", "--from", "2026-13-01", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command(
            "dashboards_rebuild", "--from", "2026-02-01", "--to", "2026-01-01", stdout=io.StringIO()
        )


def test_matrix_totals_come_from_running_totals_and_survive_a_middle_rebuild(
    activity, day, alice, carol, finance
):
    from intranet.dashboards.aggregation import aggregate_period
    from intranet.dashboards.selectors import Period, _pair_totals

    first = day - timedelta(days=2)
    aggregate_period(first, day)
    crossing = (carol.department_id, finance.pk)
    assert _pair_totals(Period("custom", first, day))[crossing] == 3
    assert _pair_totals(Period("custom", first, day - timedelta(days=1))) == {}
    # A comment made two days before, then only that day rebuilt: the later days' running
    # totals are carried forward, so every period containing it counts it once.
    comment = CommentFactory(post=activity, author=carol)
    Comment.objects.filter(pk=comment.pk).update(created_at=at(first, 10))
    aggregate_period(first, first)
    assert _pair_totals(Period("custom", first, day))[crossing] == 4
    assert _pair_totals(Period("custom", day, day))[crossing] == 3
    assert _pair_totals(Period("custom", first, first)) == {crossing: 1}
    per_day = sum(
        PairDay.objects.filter(source_id=crossing[0]).values_list("interactions", flat=True)
    )
    assert per_day == 4
