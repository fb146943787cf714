"""Browser journey of a training session, with axe on every page and no sideways scroll at
a phone's width (390 px): the animator plans a session with one seat; an agent registers,
a second is wait-listed; the first cancels and the second is promoted (and notified); the
calendar shows the session in its month grid and list views; the animator marks
attendance."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intranet.events.models import Registration
from intranet.groups import services as groups
from intranet.notifications.models import Notification
from tests.factories import PASSWORD, UserFactory, make_department


@pytest.fixture
def space(transactional_db):
    finance = make_department("Direction des finances", acronym="DF")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Martin", department=finance)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    nina = UserFactory(username="nina", first_name="Nina", last_name="Morel", department=finance)
    group = groups.group_create(bob, name="Conduite du changement", policy="open")
    groups.group_tools_set(bob, group, keys=["events"])
    for agent in (alice, nina):
        groups.group_join(agent, group)
    return group, bob, alice, nina


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_session_registration_waiting_list_and_calendar(space, new_page, sign_in, axe_check):
    group, _bob, alice, nina = space
    start = timezone.localtime(timezone.now() + timedelta(days=3))

    animator = new_page()
    sign_in(animator, "bob", PASSWORD)
    animator.goto(f"/groups/{group.slug}/")
    tabs = animator.get_by_role("navigation", name=re.compile("Conduite du changement"))
    tabs.get_by_role("link", name=re.compile("Sessions|Séances")).click()
    expect(animator).to_have_url(re.compile(f"/groups/{group.slug}/events/$"))
    axe_check(animator)
    animator.locator("#id_title").fill("Atelier <b>nouvel outil</b>")
    animator.locator("#id_date").fill(start.strftime("%Y-%m-%d"))
    animator.locator("#id_time").fill("09:30")
    animator.locator("#id_duration_minutes").fill("90")
    animator.locator("#id_video_url").fill("https://visio.example.gouv.fr/salle-1")
    animator.locator("#id_capacity").fill("1")
    animator.locator("form.stack button[type=submit]").click()
    expect(animator).to_have_url(re.compile(rf"/groups/{group.slug}/events/\d+/$"))
    expect(
        animator.get_by_role("heading", level=2, name="Atelier <b>nouvel outil</b>")
    ).to_be_visible()
    detail = animator.url
    axe_check(animator)

    first = new_page()
    sign_in(first, "alice", PASSWORD)
    first.goto(detail)
    first.locator("article form button[type=submit]").click()
    expect(first.locator("article .note")).to_be_visible()
    axe_check(first)

    second = new_page()
    second.set_viewport_size({"width": 390, "height": 844})
    sign_in(second, "nina", PASSWORD)
    second.goto(detail)
    second.locator("article form button[type=submit]").click()
    assert Registration.objects.get(agent=nina).status == "waiting"
    expect(second.locator("article .note")).to_contain_text("1")
    assert no_sideways_scroll(second)
    axe_check(second)

    first.locator("article form button[type=submit]").click()  # cancel
    assert not Registration.objects.filter(agent=alice).exists()
    assert Registration.objects.get(agent=nina).status == "registered"
    assert Notification.objects.filter(recipient=nina, kind="event_promoted").exists()

    month = start.strftime("%Y-%m")
    for view in ("month", "list"):
        second.goto(f"/events/?month={month}&view={view}")
        expect(second.get_by_role("link", name=re.compile("nouvel outil"))).to_be_visible()
        assert no_sideways_scroll(second)
        axe_check(second)
    second.goto("/events/feeds/")
    expect(second.get_by_role("link", name=re.compile("webcal"))).to_have_attribute(
        "href", re.compile(r"^webcal://")
    )
    axe_check(second)

    animator.reload()
    animator.get_by_role("checkbox", name="Nina Morel").check()
    animator.get_by_role("button", name=re.compile("attendance|présence", re.I)).click()
    assert Registration.objects.get(agent=nina).attended
    axe_check(animator)
