"""Fixtures for experts: the RGPD theme (on the shared rgpd skill), bob as the animator of
Finance's department group."""

import pytest

from intranet.experts.services import theme_create
from intranet.groups.models import Membership
from intranet.groups.services import department_group_sync, group_member_role_set
from intranet.topics.services import topics_get_or_create


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
def bob(bob, finance, alice, dave, staff):
    """bob (tests/conftest.py), here also animator of the Finance department group, whose
    members are alice, bob and dave."""
    group = department_group_sync(finance, [alice, bob, dave])
    group_member_role_set(staff, group, bob, role=Membership.Role.ANIMATOR)
    return bob
