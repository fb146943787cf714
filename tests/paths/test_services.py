"""Learning-path services: steps and their targets (foreign and invisible ones refused,
links only to allowed hosts), reordering, idempotent progress, ticks from attendance
and votes (and a failing hook that breaks neither), cohorts, the progress report."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from intranet.documents.models import Document, Restriction
from intranet.events import hooks as event_hooks
from intranet.events import services as event_services
from intranet.groups import services as group_services
from intranet.paths import selectors, services
from intranet.paths.models import Cohort, LearningPath, Progress, Step
from intranet.polls import services as poll_services
from intranet.wiki import services as wiki_services
from tests.factories import GroupFactory, QuestionFactory, UserFactory
from tests.paths.conftest import TOOLS

pytestmark = pytest.mark.django_db


def message(error) -> str:
    return " ".join(error.value.messages)


def test_animator_builds_a_path_in_order(path):
    steps = list(path.steps.all())
    assert [s.kind for s in steps] == ["wiki", "event", "poll"]
    assert [s.position for s in steps] == [1, 2, 3]


def test_member_may_not_create_a_path(tools_on, alice):
    with pytest.raises(PermissionDenied):
        services.path_create(alice, tools_on, title="Mon parcours")


def test_path_title_is_required_and_cleaned(tools_on, bob):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.path_create(bob, tools_on, title="  \x00 ")
    assert message(error) == "Give the path a title."
    path = services.path_create(bob, tools_on, title="<script>alert(1)</script>\x00  x")
    assert path.title == "<script>alert(1)</script> x"


def test_foreign_target_from_another_group_is_refused(path, bob, staff):
    other = GroupFactory(created_by=bob, name="Autre", policy="closed")
    group_services.group_tools_set(bob, other, keys=TOOLS)
    foreign = wiki_services.page_create(bob, other, title="Page d’ailleurs", body="")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.step_add(bob, path, kind="wiki", target_id=foreign.pk)
    assert message(error) == "This target does not exist in this group, or you may not see it."
    assert path.steps.count() == 3


@pytest.mark.parametrize("target", ["abc", "-1", "0", str(2**40), None, "1e3"])
def test_hostile_target_ids_are_refused(path, bob, target):
    with pytest.raises(ValidationError):
        services.step_add(bob, path, kind="wiki", target_id=target)
    with pytest.raises(ValidationError):
        services.step_add(bob, path, kind="nonsense", target_id=1)


def test_question_in_group_or_outside_groups_but_not_elsewhere(path, bob, alice, carol):
    public = QuestionFactory(author=alice)
    mine = QuestionFactory(author=alice, group=path.group)
    elsewhere_group = GroupFactory(created_by=carol, name="Secret", policy="secret")
    elsewhere = QuestionFactory(author=carol, group=elsewhere_group)
    services.step_add(bob, path, kind="question", target_id=public.pk)
    services.step_add(bob, path, kind="question", target_id=mine.pk)
    with pytest.raises(ValidationError):
        services.step_add(bob, path, kind="question", target_id=elsewhere.pk)


SCHEME = "Only web addresses (http or https) are allowed."
HOST = "Links may only point to the administration’s own sites (allowed: intranet.ville.fr)."


@pytest.mark.parametrize(
    "url,expected",
    [
        ("javascript:alert(1)", SCHEME),
        ("JaVaScRiPt:alert(1)", SCHEME),
        ("data:text/html,<script>alert(1)</script>", SCHEME),
        ("//evil.example/x", SCHEME),
        ("https://evil.example/formation", HOST),
        ("https://intranet.ville.fr.evil.example/", HOST),
        ("https://user:pw@intranet.ville.fr/", "This address is not valid."),
        ("https://intranet.ville.fr/a b", "This address is not valid."),
    ],
)
def test_links_outside_the_administration_are_refused(path, bob, settings, url, expected):
    settings.TRANSVERSE_SITE_URL = "https://intranet.ville.fr"
    settings.TRANSVERSE_PATHS_LINK_HOSTS = []
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.step_add(bob, path, kind="link", url=url, label="Lien")
    assert message(error) == expected
    assert not path.steps.filter(kind="link").exists()


def test_links_to_the_site_and_listed_hosts_are_accepted(path, bob, settings):
    settings.TRANSVERSE_SITE_URL = "https://intranet.ville.fr"
    settings.TRANSVERSE_PATHS_LINK_HOSTS = ["formation.ville.fr", ".gouv.fr"]
    for url in (
        "https://intranet.ville.fr/aide",
        "https://FORMATION.ville.fr/catalogue",
        "https://www.service-public.gouv.fr/x",
        "http://gouv.fr/",
    ):
        services.step_add(bob, path, kind="link", url=url, label="Aide")
    assert path.steps.filter(kind="link").count() == 4
    with pytest.raises(ValidationError):
        services.step_add(bob, path, kind="link", url="https://gouv.fr.evil.example", label="x")
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.step_add(bob, path, kind="link", url="https://intranet.ville.fr/", label=" ")
    assert message(error) == "Give the link a label."


def test_move_swaps_with_the_neighbour_and_stops_at_the_ends(path, bob):
    first, second, third = path.steps.all()
    services.step_move(bob, third, direction="up")
    assert list(path.steps.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    services.step_move(bob, first, direction="up")  # already first: nothing moves
    services.step_move(bob, second, direction="down")  # already last
    assert list(path.steps.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    with pytest.raises(ValidationError):
        services.step_move(bob, first, direction="sideways")


def test_move_works_with_out_of_order_positions(path, bob):
    first, second, third = path.steps.all()
    Step.objects.filter(pk=first.pk).update(position=40)
    Step.objects.filter(pk=second.pk).update(position=7)
    Step.objects.filter(pk=third.pk).update(position=1000)
    services.step_move(bob, first, direction="up")
    assert list(path.steps.values_list("pk", flat=True)) == [first.pk, second.pk, third.pk]
    step = services.step_add(bob, path, kind="link", url="http://127.0.0.1:8000/x", label="L")
    assert step.position == 1001


def test_member_may_not_edit_steps(path, alice):
    step = path.steps.first()
    with pytest.raises(PermissionDenied):
        services.step_move(alice, step, direction="down")
    with pytest.raises(PermissionDenied):
        services.step_remove(alice, step)


def test_progress_is_idempotent(path, alice):
    step = path.steps.first()
    services.progress_set(alice, step, done=True)
    services.progress_set(alice, step, done=True)
    assert Progress.objects.filter(step=step, agent=alice).count() == 1
    services.progress_set(alice, step, done=False)
    services.progress_set(alice, step, done=False)
    assert not Progress.objects.filter(step=step, agent=alice).exists()


def test_outsider_may_not_tick(path, carol):
    with pytest.raises(PermissionDenied):
        services.progress_set(carol, path.steps.first(), done=True)


def test_attendance_ticks_the_session_step_and_unticks_when_corrected(path, bob, alice, session):
    event_services.event_register(alice, session)
    step = path.steps.get(kind="event")
    event_services.attendance_set(bob, session, [alice.pk])
    progress = Progress.objects.get(step=step, agent=alice)
    assert progress.source == Progress.Source.ATTENDED
    event_services.attendance_set(bob, session, [alice.pk])  # twice: still one row
    assert Progress.objects.filter(step=step, agent=alice).count() == 1
    event_services.attendance_set(bob, session, [])
    assert not Progress.objects.filter(step=step, agent=alice).exists()


def test_attendance_keeps_a_tick_the_member_made(path, bob, alice, session):
    event_services.event_register(alice, session)
    step = path.steps.get(kind="event")
    services.progress_set(alice, step, done=True)
    event_services.attendance_set(bob, session, [])
    assert Progress.objects.filter(step=step, agent=alice, source="ticked").exists()


def test_a_vote_ticks_the_poll_step(path, alice, poll):
    poll_services.poll_vote(alice, poll, choice_ids=[poll.choices.first().pk])
    step = path.steps.get(kind="poll")
    assert Progress.objects.get(step=step, agent=alice).source == Progress.Source.VOTED


def test_a_failing_hook_breaks_neither_attendance_nor_ticks(path, bob, alice, session, caplog):
    def broken(event, present_ids):
        Progress.objects.create(step=path.steps.first(), agent=alice)  # then fails
        raise RuntimeError("hook down")

    event_hooks.attendance_register(broken)
    try:
        event_services.event_register(alice, session)
        event_services.attendance_set(bob, session, [alice.pk])
    finally:
        event_hooks._attendance_hooks.remove(broken)
    assert session.registrations.get(agent=alice).attended
    assert Progress.objects.filter(step__kind="event", agent=alice).exists()
    # the broken hook's own write was undone with its savepoint
    assert not Progress.objects.filter(step__kind="wiki", agent=alice).exists()
    assert "hook down" in caplog.text


def test_step_on_a_changed_target_loses_automatic_ticks(path, bob, alice, page, session):
    event_services.event_register(alice, session)
    event_services.attendance_set(bob, session, [alice.pk])
    step = path.steps.get(kind="event")
    services.step_update(bob, step, kind="wiki", target_id=page.pk)
    assert not Progress.objects.filter(step=step).exists()


def test_cohort_holds_only_group_members(path, bob, alice, carol):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.cohort_create(bob, path, name="Vague 1", starts_on="2027-01-04", members=[carol])
    assert "Not members of the group" in message(error)
    assert not Cohort.objects.exists()
    cohort = services.cohort_create(
        bob, path, name="Vague 1", starts_on="2027-01-04", members=[alice, bob]
    )
    assert set(cohort.members.all()) == {alice, bob}
    services.cohort_update(bob, cohort, name="Vague 1", starts_on="2027-01-05", members=[bob])
    assert list(cohort.members.all()) == [bob]
    with pytest.raises(ValidationError):
        services.cohort_create(bob, path, name="Vague 1", starts_on="2027-01-04")


def test_progress_report_per_member_cohort_and_department(path, bob, alice, dave, staff):
    from intranet.groups.models import Membership

    Membership.objects.create(group=path.group, agent=dave)
    services.cohort_create(bob, path, name="Vague 1", starts_on="2027-01-04", members=[alice])
    for step in path.steps.all()[:2]:
        services.progress_set(alice, step, done=True)
    report = selectors.progress_report(path)
    rows = {r.label: r for r in report["member_rows"]}
    assert (rows["Alice Lefèvre"].done, rows["Alice Lefèvre"].percent) == (2, 67)
    assert rows["Alice Lefèvre"].extra["cohorts"] == "Vague 1"
    assert rows["Dave Martin"].done == 0
    cohort = report["cohort_rows"][0]
    assert (cohort.members, cohort.done, cohort.percent) == (1, 2, 67)
    finance = next(r for r in report["department_rows"] if r.label == "Direction des finances")
    assert finance.members == 3 and finance.done == 2  # alice, bob, dave
    assert 'data-votes="2"' in str(report["member_chart"])


def test_unavailable_target_is_resolved_to_none(path, bob, alice, staff):
    hidden = Document.objects.create(
        group=path.group, name="Note réservée", state="ready", restriction=Restriction.ANIMATORS
    )
    services.step_add(bob, path, kind="document", target_id=hidden.pk)
    seen_by_bob = selectors.path_steps(bob, path)
    seen_by_alice = selectors.path_steps(alice, path)
    assert seen_by_bob[-1].target.title == "Note réservée"
    assert seen_by_alice[-1].target is None
    assert all(s.target is not None for s in seen_by_alice[:-1])


def test_path_steps_query_count_does_not_grow(path, bob, alice, django_assert_max_num_queries):
    for i in range(20):
        services.step_add(bob, path, kind="link", url=f"http://127.0.0.1:8000/{i}", label=str(i))
    group = path.group
    path = LearningPath.objects.get(pk=path.pk)
    path.group = group
    with django_assert_max_num_queries(12):
        selectors.path_steps(alice, path)


def test_deleting_a_path_takes_its_steps_and_progress(path, bob, alice):
    services.progress_set(alice, path.steps.first(), done=True)
    services.path_delete(bob, path)
    assert not Step.objects.exists() and not Progress.objects.exists()
    assert connection.vendor in ("sqlite", "postgresql")


def test_inactive_agent_sees_no_path(path):
    assert not selectors.group_paths(UserFactory(is_active=False), path.group).exists()


def test_a_failing_voted_hook_leaves_the_vote_standing(path, alice, poll, caplog):
    from intranet.polls import hooks as poll_hooks
    from intranet.polls.models import Ballot

    def broken(poll, agent):
        raise RuntimeError("paths down")

    poll_hooks.voted_register(broken)
    try:
        poll_services.poll_vote(alice, poll, choice_ids=[poll.choices.first().pk])
    finally:
        poll_hooks._hooks.remove(broken)
    assert Ballot.objects.filter(poll=poll, agent=alice).exists()
    assert Progress.objects.filter(step__kind="poll", agent=alice).exists()
    assert "paths down" in caplog.text


def test_vote_of_a_non_member_reader_ticks_nothing(path, poll, carol, staff):
    services.vote_ticks(poll, carol)
    assert not Progress.objects.exists()
