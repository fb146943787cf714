"""Polls fixtures: `poll`, a single-choice anonymous poll in budget (tests/conftest.py:
bob animates it, alice is a member, carol is an outsider), open for a week."""

import datetime

import pytest
from django.utils import timezone

from intranet.groups import services as group_services
from intranet.polls import services


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def _polls_on(request):
    """The polls tool is on in budget when a test uses it."""
    if "budget" in request.fixturenames:
        budget = request.getfixturevalue("budget")
        group_services.group_tools_set(request.getfixturevalue("staff"), budget, keys=["polls"])


@pytest.fixture
def poll(budget, bob):
    return services.poll_create(
        bob,
        budget,
        question="Quel jour pour l’atelier ?",
        choices=["Lundi", "Mardi", "Jeudi"],
        closes_at=in_days(7),
    )


@pytest.fixture
def named_poll(budget, bob):
    return services.poll_create(
        bob,
        budget,
        question="Quels thèmes ?",
        choices=["Budget", "Achats", "Paie"],
        closes_at=in_days(7),
        multiple=True,
        anonymous=False,
    )
