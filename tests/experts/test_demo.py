"""The experts demo content loads on the demo organisation, and a second run does nothing."""

import io

import pytest
from django.core.management import call_command

from intranet.experts import demo
from intranet.experts.models import Ambassador, Theme
from intranet.skills.models import Endorsement, Skill
from intranet.skills.services import skill_resolve


@pytest.mark.django_db
def test_demo_loads_once(settings):
    settings.TRANSVERSE_DEMO = True
    call_command("seed_demo", "--no-progress", "--no-content", stdout=io.StringIO())
    out = io.StringIO()
    demo.seed(out)
    assert "Experts demo: 5 themes" in out.getvalue()
    assert skill_resolve("GDPR") == skill_resolve("RGPD")
    assert Skill.objects.filter(status=Skill.Status.PROPOSED).exists()
    assert Endorsement.objects.exists()
    assert Ambassador.objects.filter(status=Ambassador.Status.ACTIVE).exists()
    assert Ambassador.objects.filter(status=Ambassador.Status.INVITED).exists()
    counts = (Theme.objects.count(), Ambassador.objects.count(), Endorsement.objects.count())
    again = io.StringIO()
    demo.seed(again)
    assert "nothing to do" in again.getvalue()
    assert (
        Theme.objects.count(),
        Ambassador.objects.count(),
        Endorsement.objects.count(),
    ) == counts
