"""Browser journey of the satisfaction survey and the agent's time zone, with axe on every
new page: a session ends, its attendee opens the survey from her notification, answers
with the keyboard and cannot answer twice; the animator reads the results (SVG charts and
their data tables) per session and for the programme; an agent working in Cayenne picks
her time zone and sees the session at her local time."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intranet.events import services
from intranet.events.models import Event, SurveyAnswer
from intranet.events.tasks import run_sessions_ended
from intranet.groups import services as groups
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def ended(transactional_db):
    """A session of "Conduite du changement" that ended yesterday: alice was present."""
    finance = make_department("Direction des finances", acronym="DF")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Martin", department=finance)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    group = groups.group_create(bob, name="Conduite du changement", policy="open")
    groups.group_tools_set(bob, group, keys=["events"])
    groups.group_join(alice, group)
    event = services.event_create(
        bob,
        group,
        title="Atelier nouvel outil",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=60,
    )
    services.event_register(alice, event)
    services.attendance_set(bob, event, [str(alice.pk)])
    starts = timezone.now() - timedelta(days=1)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + timedelta(hours=1))
    run_sessions_ended()
    event.refresh_from_db()
    return event


def test_attendee_answers_the_survey_and_animator_reads_results(
    ended, new_page, sign_in, axe_check
):
    group = ended.group
    agent = new_page()
    sign_in(agent, "alice", PASSWORD)
    agent.goto("/notifications/")
    agent.get_by_role("link", name=re.compile("Atelier nouvel outil")).first.click()
    expect(agent).to_have_url(re.compile(rf"/groups/{group.slug}/events/{ended.pk}/survey/$"))
    axe_check(agent)

    agent.get_by_role("button", name=re.compile("Send my answers|Envoyer mes réponses")).click()
    expect(agent.locator("#id_satisfaction_0")).to_be_focused()  # nothing chosen: the
    assert not SurveyAnswer.objects.exists()  # browser asks first (the server refuses too)

    # With the keyboard: each question is a group of radio buttons.
    agent.locator("#id_satisfaction_0").focus()
    for _ in range(3):
        agent.keyboard.press("ArrowRight")  # 1 → 4
    agent.keyboard.press("Tab")
    agent.keyboard.press("ArrowRight")  # usefulness: 1 → 2, then on to 5
    for _ in range(3):
        agent.keyboard.press("ArrowRight")
    agent.locator("#id_pace_1").check()  # just right
    agent.locator("#id_recommend_0").check()  # yes
    agent.locator("#id_comment").fill("<script>alert('x')</script> Très utile")
    agent.get_by_role("button", name=re.compile("Send my answers|Envoyer mes réponses")).click()
    expect(agent.locator(".messages")).to_be_visible()
    answer = SurveyAnswer.objects.get()
    assert (answer.satisfaction, answer.usefulness, answer.pace, answer.recommend) == (
        4,
        5,
        "right",
        True,
    )
    expect(agent.locator("form.survey-form")).to_have_count(0)  # answered: no second form
    axe_check(agent)

    animator = new_page()
    sign_in(animator, "bob", PASSWORD)
    animator.goto(f"/groups/{group.slug}/events/{ended.pk}/")
    animator.get_by_role("link", name=re.compile("satisfaction", re.I)).click()
    expect(animator.locator("svg.poll-chart")).to_have_count(4)
    expect(animator.get_by_role("table")).to_have_count(4)
    expect(animator.locator(".survey-comments")).to_contain_text("<script>alert('x')</script>")
    axe_check(animator)
    animator.get_by_role("link", name=re.compile("all the group|toutes les séances", re.I)).click()
    expect(animator).to_have_url(re.compile(rf"/groups/{group.slug}/events/surveys/$"))
    expect(animator.get_by_role("link", name="Atelier nouvel outil")).to_be_visible()
    axe_check(animator)
    with animator.expect_download() as download:
        animator.get_by_role("link", name=re.compile("CSV")).click()
    assert download.value.suggested_filename.endswith("-surveys.csv")

    results = agent.request.get(f"/groups/{group.slug}/events/{ended.pk}/survey/results/")
    assert results.status == 404  # an attendee does not see the results


def test_agent_in_cayenne_sees_the_session_at_her_local_time(ended, new_page, sign_in, axe_check):
    agent = new_page()
    sign_in(agent, "alice", PASSWORD)
    agent.goto("/accounts/settings/")
    axe_check(agent)
    agent.locator("#id_time_zone").select_option("America/Cayenne")
    agent.get_by_role("button", name=re.compile("Save|Enregistrer")).click()
    agent.goto(f"/groups/{ended.group.slug}/events/{ended.pk}/")
    start = timezone.localtime(ended.starts_at, timezone.get_fixed_timezone(-180))
    expect(agent.locator(".event__facts time").first).to_contain_text(start.strftime("%H:%M"))
    expect(agent.locator(".event__zone").first).to_have_text("(America/Cayenne)")
    axe_check(agent)
