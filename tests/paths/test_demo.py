"""The learning paths' demo: in the demo training space (found, or created with the
training template), a path of 5 steps and a cohort; running it again adds nothing."""

import io

import pytest

from intranet.groups.models import Group
from intranet.paths import demo
from intranet.paths.models import Cohort, LearningPath, Progress
from intranet.people.management.commands.seed_demo import DEMO_EXTENSIONS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_creates_the_space_a_path_and_a_cohort_once():
    UserFactory(username="amartin", first_name="Anne", last_name="Martin")
    for login in ("jlefevre", "fndiaye"):
        UserFactory(username=login)
    out = io.StringIO()
    demo.seed(out)
    space = Group.objects.get(slug=demo.SPACE_SLUG)
    path = LearningPath.objects.get(group=space, title=demo.TITLE)
    assert path.steps.count() == 5
    assert [s.kind for s in path.steps.all()] == ["wiki", "wiki", "event", "poll", "link"]
    cohort = Cohort.objects.get(path=path)
    assert cohort.members.count() == 2
    assert Progress.objects.count() == 4
    demo.seed(out)
    assert (
        LearningPath.objects.filter(title=demo.TITLE).count() == 1
        and Group.objects.filter(slug=demo.SPACE_SLUG).count() == 1
    )
    assert "intranet.paths.demo" in DEMO_EXTENSIONS


def test_demo_without_amartin_does_nothing():
    demo.seed(io.StringIO())
    assert not LearningPath.objects.exists()
