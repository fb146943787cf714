"""Role fixtures for questions (each built through the experts and people services).

- `theme`: the RGPD theme (skill "RGPD", topic #rgpd), created by staff;
- `ambassador`: bob (tests/conftest.py), RGPD ambassador of Finance (alice's department),
  who accepted;
- `far_ambassador`: dora, RGPD ambassador of Human resources (carol's department);
- `expert`: eve, in Finance, claims RGPD and accepts requests;
- `shy_expert`: fred claims RGPD but does not accept requests.
"""

import datetime

import pytest
from django.utils import timezone

from intranet.experts import services as expert_services
from intranet.skills import services as skills
from intranet.skills.services import curation
from intranet.topics.services import topics_get_or_create
from tests.factories import UserFactory


@pytest.fixture
def theme(staff):
    skill = curation.skill_create(staff, label="RGPD", synonyms=["GDPR"])
    return expert_services.theme_create(
        staff, name="RGPD", skills=[skill], topics=topics_get_or_create(["rgpd"])
    )


def make_ambassador(staff, theme, agent):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    invitation = expert_services.ambassador_invite(
        staff, theme=theme, department=agent.department, agent=agent, starts_on=yesterday
    )
    return expert_services.ambassador_respond(agent, invitation.pk, accept=True)


@pytest.fixture
def ambassador(staff, theme, bob):
    make_ambassador(staff, theme, bob)
    return bob


@pytest.fixture
def far_ambassador(staff, theme, carol):
    dora = UserFactory(
        username="dora", first_name="Dora", last_name="Petit", department=carol.department
    )
    make_ambassador(staff, theme, dora)
    return dora


@pytest.fixture
def expert(theme, finance):
    eve = UserFactory(username="eve", first_name="Eve", last_name="Roux", department=finance)
    skills.skill_claim_add(eve, eve, label="gdpr", level=3, accepts_requests=True)
    return eve


@pytest.fixture
def shy_expert(theme, finance):
    fred = UserFactory(username="fred", first_name="Fred", last_name="Blanc", department=finance)
    skills.skill_claim_add(fred, fred, label="RGPD", level=3, accepts_requests=False)
    return fred
