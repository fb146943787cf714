"""Wiki fixtures: budget (closed, alice member, bob animator) with its wiki on."""

import pytest

from intranet.groups import services as group_services


@pytest.fixture
def wiki_budget(budget, bob):
    """budget with its wiki tool switched on by bob, its animator."""
    group_services.group_tools_set(bob, budget, keys=["wiki"])
    return budget
