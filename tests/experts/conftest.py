"""Fixtures for experts: the RGPD theme (on the shared rgpd skill), an animator, Finance
colleagues."""

import pytest

from intranet.experts.services import theme_create
from intranet.groups.models import Membership
from intranet.groups.services import department_group_sync, group_member_role_set
from intranet.topics.services import topics_get_or_create
from tests.factories import UserFactory


@pytest.fixture
def rgpd_theme(staff, rgpd):
    """The RGPD theme: the RGPD skill and the #rgpd topic."""
    return theme_create(
        staff,
        name="RGPD",
        description="Données personnelles",
        skills=[rgpd],
        topics=topics_get_or_create(["rgpd"]),
    )


@pytest.fixture
def dave(finance):
    """dave: another agent of Finance."""
    return UserFactory(username="dave", first_name="Dave", last_name="Martin", department=finance)


@pytest.fixture
def bob(finance, alice, dave, staff):
    """bob: an agent of Finance, animator of the Finance department group."""
    bob = UserFactory(username="bob", first_name="Bob", last_name="Durand", department=finance)
    group = department_group_sync(finance, [alice, bob, dave])
    group_member_role_set(staff, group, bob, role=Membership.Role.ANIMATOR)
    return bob
