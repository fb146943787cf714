"""Learning-path fixtures (tests/conftest.py: in budget, bob animates, alice is a member,
carol is an outsider, staff created it). `tools_on` switches on paths and every tool a
step may point to; `path` is a path of budget with a wiki page, a session and a poll."""

import datetime

import pytest
from django.utils import timezone

from intranet.events import services as event_services
from intranet.groups import services as group_services
from intranet.paths import services
from intranet.polls import services as poll_services
from intranet.wiki import services as wiki_services

TOOLS = ["paths", "wiki", "events", "polls"]


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture
def tools_on(budget, staff):
    group_services.group_tools_set(staff, budget, keys=TOOLS)
    return budget


@pytest.fixture
def page(tools_on, bob):
    return wiki_services.page_create(bob, tools_on, title="Bien accueillir le public", body="x")


@pytest.fixture
def session(tools_on, bob):
    return event_services.event_create(
        bob, tools_on, title="Atelier accueil", starts_at=in_days(3), duration_minutes=90
    )


@pytest.fixture
def poll(tools_on, bob):
    return poll_services.poll_create(
        bob, tools_on, question="Quel format ?", choices=["Court", "Long"], closes_at=in_days(7)
    )


@pytest.fixture
def path(tools_on, bob, page, session, poll):
    path = services.path_create(bob, tools_on, title="Accueil du public")
    services.step_add(bob, path, kind="wiki", target_id=page.pk)
    services.step_add(bob, path, kind="event", target_id=session.pk)
    services.step_add(bob, path, kind="poll", target_id=poll.pk)
    return path
