"""The demo training space: built through the services on the demo organisation, at a
stable address, with pages, sessions (one full with a waiting list, one ended with
attendance and survey answers) and a poll; running it again changes nothing."""

import io

import pytest
from django.core.management import call_command

from intranet.events import demo as events_demo
from intranet.events.models import Event, Registration, SurveyAnswer
from intranet.groups.models import Group, GroupTool
from intranet.polls import demo as polls_demo
from intranet.polls.models import Ballot, Poll
from intranet.wiki.models import WikiPage


@pytest.fixture
def organisation(db, settings):
    settings.TRANSVERSE_DEMO = True
    call_command("seed_demo", "--no-content", "--no-progress", stdout=io.StringIO())


def test_demo_training_space_once(organisation):
    out = io.StringIO()
    events_demo.seed(out)
    polls_demo.seed(out)
    group = Group.objects.get(slug=events_demo.DEMO_SLUG)
    assert group.created_by.username == "amartin"
    assert set(GroupTool.objects.filter(group=group).values_list("key", flat=True)) >= {
        "wiki",
        "events",
        "polls",
    }
    assert WikiPage.objects.filter(group=group).count() == 4  # the welcome page and three
    events = Event.objects.filter(group=group)
    assert events.count() == 3
    full = events.get(title__startswith="Prise en main")
    assert full.registrations.filter(status=Registration.Status.REGISTERED).count() == 4
    assert full.registrations.filter(status=Registration.Status.WAITING).count() == 2
    ended = events.get(title="Atelier de découverte")
    assert ended.registrations.filter(attended=True).count() == 5
    assert SurveyAnswer.objects.filter(survey__event=ended).count() == 4
    assert Poll.objects.filter(group=group).count() == 1
    assert Ballot.objects.filter(poll__group=group).count() == 7
    events_demo.seed(out)
    polls_demo.seed(out)
    assert out.getvalue().count("already present") == 2
    assert Event.objects.filter(group=group).count() == 3 and Poll.objects.count() == 1


def test_without_the_personas_nothing_is_built(db):
    out = io.StringIO()
    events_demo.seed(out)
    polls_demo.seed(out)
    assert not Group.objects.filter(slug=events_demo.DEMO_SLUG).exists()
    assert "skipped" in out.getvalue()
