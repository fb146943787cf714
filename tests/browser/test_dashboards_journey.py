"""Browser journey of the dashboards: staff opens the network dashboard from the menu,
chooses a period without JavaScript, reads the silo indicators (network and one
department); an animator opens their group's dashboard from the group page. Axe on every
dashboard page; no horizontal scroll at 390 px."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from intranet.dashboards.aggregation import aggregate_period
from intranet.groups import services as group_services
from intranet.groups.models import Group, Membership
from intranet.stream.models import Comment, Post
from tests.factories import PASSWORD, CommentFactory, PostFactory, UserFactory, make_department


@pytest.fixture
def dashboards_org(transactional_db):
    finance = make_department("Direction des finances", acronym="DF")
    hr = make_department('RH <b>"=1+1"</b>', acronym="DRH")
    staff = UserFactory(username="siteadmin", is_staff=True, is_superuser=True)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Lefèvre", department=finance
    )
    bob = UserFactory(username="bob", first_name="Bob", last_name="Martin", department=finance)
    carol = UserFactory(username="carol", first_name="Carol", last_name="N'Diaye", department=hr)
    group = group_services.group_create(bob, name="Budget <i>", policy="open")
    for agent in (alice, carol):
        Membership.objects.create(group=group, agent=agent)
    day = timezone.localdate() - timedelta(days=1)
    when = timezone.make_aware(datetime.combine(day - timedelta(days=3), time(10)))
    Group.objects.update(created_at=when - timedelta(days=30))
    Membership.objects.update(joined_at=when - timedelta(days=10))
    post = PostFactory(author=alice, visibility="group", group=group)
    CommentFactory(post=post, author=carol)
    Post.objects.update(created_at=when)
    Comment.objects.update(created_at=when)
    aggregate_period(day - timedelta(days=6), day)
    return {"staff": staff, "bob": bob, "group": group, "hr": hr}


def no_horizontal_scroll(page):
    page.set_viewport_size({"width": 390, "height": 800})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"horizontal scroll of {overflow}px on {page.url}"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_staff_and_an_animator_read_their_dashboards(new_page, sign_in, axe_check, dashboards_org):
    page = new_page()
    sign_in(page, "siteadmin", PASSWORD)
    page.locator('nav a[href="/dashboards/"]').first.click()
    assert page.url.endswith("/dashboards/")
    expect(page.locator("svg.chart").first).to_be_visible()
    axe_check(page)
    no_horizontal_scroll(page)

    page.locator('input[name="period"][value="90"]').check()
    page.locator('.period-form button[type="submit"]').click()
    assert "period=90" in page.url
    axe_check(page)

    page.goto("/dashboards/silos/")
    expect(page.locator("svg#matrix")).to_be_visible()
    axe_check(page)
    no_horizontal_scroll(page)
    page.locator(f'a[href="/dashboards/silos/{dashboards_org["hr"].pk}/"]').click()
    expect(page.locator("svg#share")).to_be_visible()
    axe_check(page)
    no_horizontal_scroll(page)

    animator = new_page()
    sign_in(animator, "bob", PASSWORD)
    slug = dashboards_org["group"].slug
    animator.goto(f"/groups/{slug}/")
    animator.locator(f'a[href="/dashboards/groups/{slug}/"]').click()
    expect(animator.locator("svg#contributions")).to_be_visible()
    expect(animator.locator("#dormant-title")).to_be_visible()
    axe_check(animator)
    no_horizontal_scroll(animator)
