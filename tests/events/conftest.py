from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from intranet.events import services
from intranet.groups import services as group_services

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def training(budget, bob):
    """budget with the sessions tool on (bob animates it, alice is a member)."""
    group_services.group_tools_set(bob, budget, keys=["events"])
    return budget


def make_event(actor, group, *, days=3, capacity=2, **fields):
    values = {
        "title": "Prise en main de l’outil",
        "starts_at": timezone.now() + timedelta(days=days),
        "duration_minutes": 90,
        "place": "Salle 204",
        "capacity": capacity,
    }
    values.update(fields)
    return services.event_create(actor, group, **values)


@pytest.fixture
def session(training, bob):
    return make_event(bob, training)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)
