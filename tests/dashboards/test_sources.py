"""The activity sources of documents, wiki, events and polls; anonymous votes tied to
nobody; the learning-path completion hook; the working table's retention."""

from datetime import datetime, time, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from intranet.core import activity
from intranet.core.activity import CompletionSource, activity_sources, completion_register
from intranet.core.retention import retention_apply, retention_plan
from intranet.dashboards.aggregation import aggregate_day
from intranet.dashboards.models import ActiveDay, GroupDay, NetworkDay
from intranet.documents.models import Blob, Document, DocumentVersion
from intranet.events.models import Event, Registration
from intranet.groups.models import Group
from intranet.polls.models import Ballot, Poll
from intranet.wiki.models import WikiPage, WikiVersion

from .test_dashboards import Tables, svgs


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def day():
    return timezone.localdate() - timedelta(days=1)


def _version(document, number, author, state, sha):
    blob = Blob.objects.create(sha256=sha * 64, size=3, file=f"blobs/{sha}")
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        blob=blob,
        filename="note.txt",
        size=3,
        mime="text/plain",
        author=author,
        state=state,
    )


@pytest.fixture
def later_activity(day, budget, alice, bob, carol, dave, staff):
    """On `day`, in budget: alice uploads a document (ready) and a new version that the
    scan refused; a trashed document's upload; bob edits a wiki page twice; carol registers
    for an event that starts that day and attends it, dave registers (waiting) and does
    not attend; alice opens a named poll and bob votes in it; staff opens an anonymous
    poll, in which dave votes; both polls close that day. A poll closing the next day,
    with a vote, counts nothing yet."""
    Group.objects.update(created_at=at(day - timedelta(days=30), 9))
    ready = Document.State.READY
    document = Document.objects.create(group=budget, name="Note", created_by=alice, state=ready)
    _version(document, 1, alice, ready, "a")
    _version(document, 2, alice, Document.State.SUSPICIOUS, "b")
    trashed = Document.objects.create(
        group=budget, name="Old", created_by=alice, state=ready, deleted_at=at(day, 12)
    )
    _version(trashed, 1, alice, ready, "c")
    DocumentVersion.objects.update(created_at=at(day, 9))

    page = WikiPage.objects.create(group=budget, title="Charte", title_key="charte", slug="charte")
    for n in (1, 2):
        WikiVersion.objects.create(page=page, number=n, title="Charte", author=bob)
    WikiVersion.objects.update(created_at=at(day, 10))

    event = Event.objects.create(
        group=budget, title="Atelier", starts_at=at(day, 14), duration_minutes=60
    )
    Registration.objects.create(
        event=event, agent=carol, status="registered", attended=True, created_at=at(day, 8)
    )
    Registration.objects.create(
        event=event, agent=dave, status="waiting", created_at=at(day - timedelta(days=3), 8)
    )

    named = Poll.objects.create(
        group=budget, author=alice, question="Date ?", anonymous=False, closes_at=at(day, 18)
    )
    Ballot.objects.create(poll=named, agent=bob)
    secret = Poll.objects.create(
        group=budget, author=staff, question="Avis ?", anonymous=True, closes_at=at(day, 18)
    )
    Ballot.objects.create(poll=secret, agent=dave)
    pending = Poll.objects.create(
        group=budget,
        author=staff,
        question="Plus tard ?",
        closes_at=at(day, 18) + timedelta(days=1),
    )
    Ballot.objects.create(poll=pending, agent=dave)
    Poll.objects.update(created_at=at(day, 7))
    return day


def test_documents_wiki_events_and_polls_count_as_contributions(later_activity, budget, dave):
    day = later_activity
    aggregate_day(day)
    row = GroupDay.objects.get(group=budget, day=day)
    assert row.contributions == {
        "documents": 1,  # the refused version and the trashed document do not count
        "wiki_edits": 2,
        "registrations": 1,  # dave's was made three days before
        "attendances": 1,
        "polls": 3,
        "votes": 2,  # the pending poll's vote counts the day it closes
    }
    assert NetworkDay.objects.get(day=day).contributions["votes"] == 2
    # The anonymous vote is tied to nobody: dave (who only voted there) is not active.
    assert not ActiveDay.objects.filter(agent=dave).exists()
    assert row.active_7d == 4  # alice, bob, carol, staff (the pending poll's author)
    assert sum(row.contributions_by_department.values()) == sum(row.contributions.values()) - 1


def test_anonymous_vote_is_never_tied_to_its_voter(later_activity, budget, bob, dave):
    from intranet.polls.dashboards import votes

    start = at(later_activity, 0)
    rows = list(votes(start, start + timedelta(days=1)))
    assert sorted(rows, key=str) == sorted([(budget.pk, bob.pk), (budget.pk, None)], key=str)


def test_the_group_page_shows_the_new_kinds(client, later_activity, budget, bob):
    aggregate_day(later_activity)
    client.force_login(bob)
    response = client.get(reverse("dashboards:group", args=[budget.slug]))
    html = response.text
    table = Tables()
    table.feed(html)
    # The page speaks bob's language: read the kinds' labels in it (compare by structure).
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        labels = {s.kind: str(s.label) for s in activity_sources()}
    kinds = {kind: dict(table.tables["contributions"][1:])[labels[kind]] for kind in labels}
    assert kinds["documents"] == "1"
    assert kinds["wiki_edits"] == "2"
    assert kinds["registrations"] == "1" and kinds["attendances"] == "1"
    assert kinds["votes"] == "2" and kinds["polls"] == "3"
    bars = {g.get("data-value") for g in svgs(html)["contributions"].iter() if g.get("data-value")}
    assert {"1", "2", "3"} <= bars


@pytest.fixture
def completion(budget):
    seen = []

    def figures(end):
        seen.append(end)
        return [(budget.pk, 12, 5)]

    completion_register(CompletionSource("paths", "learning paths", figures))
    yield seen
    activity._completions.pop("paths")


def test_learning_paths_declare_completion_through_the_hook(
    client, completion, day, budget, bob, alice
):
    Group.objects.update(created_at=at(day - timedelta(days=30), 9))
    aggregate_day(day)
    assert completion == [at(day, 0) + timedelta(days=1)]
    assert GroupDay.objects.get(group=budget, day=day).completion == {"paths": [12, 5]}
    client.force_login(bob)
    with translation.override("en"):
        html = client.get(reverse("dashboards:group", args=[budget.slug])).text
    table = Tables()
    table.feed(html)
    assert table.tables["completion"][1][:3] == ["learning paths", "12", "5"]
    assert "completion" in svgs(html)


def test_no_completion_figure_without_a_path(client, day, budget, bob):
    Group.objects.update(created_at=at(day - timedelta(days=30), 9))
    aggregate_day(day)
    client.force_login(bob)
    assert "completion" not in svgs(
        client.get(reverse("dashboards:group", args=[budget.slug])).text
    )


def _active_days(budget, agent, days_ago):
    today = timezone.localdate()
    ActiveDay.objects.bulk_create(
        ActiveDay(day=today - timedelta(days=n), group=budget, agent=agent) for n in days_ago
    )


def _plan(name):
    return next((count for rule, _cutoff, count in retention_plan() if rule.name == name), None)


@override_settings(TRANSVERSE_RETENTION_DASHBOARDS_ACTIVITY_DAYS=120)
def test_retention_purges_the_working_table(budget, alice):
    _active_days(budget, alice, [1, 91, 119, 121, 400])
    assert _plan("dashboards_activity") == 2
    assert retention_apply()["dashboards_activity"] == 2
    kept = sorted(
        (timezone.localdate() - d).days for d in ActiveDay.objects.values_list("day", flat=True)
    )
    assert kept == [1, 91, 119]


@override_settings(TRANSVERSE_RETENTION_DASHBOARDS_ACTIVITY_DAYS=10)
def test_retention_never_cuts_into_the_dormant_window(budget, alice):
    _active_days(budget, alice, [1, 30, 91, 93, 200])
    assert retention_apply()["dashboards_activity"] == 2
    assert ActiveDay.objects.count() == 3


@override_settings(TRANSVERSE_RETENTION_DASHBOARDS_ACTIVITY_DAYS=0)
def test_retention_zero_keeps_the_working_table(budget, alice):
    _active_days(budget, alice, [1, 500])
    assert _plan("dashboards_activity") == 0
    retention_apply()
    assert ActiveDay.objects.count() == 2
