"""Chat fixtures: a group with its room, and agents around it.

- `alice`: member of the "Budget" group (from tests/conftest.py: an agent of Finance);
- `bob`: animator of "Budget";
- `carol`: not a member (another department);
- `budget`: a closed group; `room`: its chat room.
"""

import pytest

from intranet.chat import services
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from tests.factories import UserFactory


@pytest.fixture
def bob(finance):
    """bob: an agent of Finance, animator of Budget."""
    return UserFactory(username="bob", first_name="Bob", last_name="Martin", department=finance)


@pytest.fixture
def budget(alice, bob, staff):
    group = group_services.group_create(staff, name="Budget", policy="closed")
    Membership.objects.create(group=group, agent=alice)
    Membership.objects.create(group=group, agent=bob, role=Membership.Role.ANIMATOR)
    group_services.group_member_role_set(staff, group, bob, role="animator")
    return group


@pytest.fixture
def room(budget, alice):
    return services.group_room(alice, budget)


@pytest.fixture(autouse=True)
def _groups_with_room_forgotten():
    """Each test starts with an empty per-process set of groups known to have a room (the
    database is emptied between tests, and ids come again)."""
    from intranet.chat.services import conversations

    conversations._groups_with_room.clear()
    yield
    conversations._groups_with_room.clear()
