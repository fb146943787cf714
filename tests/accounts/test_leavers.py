"""Every way of switching an agent off has the same consequences as the directory's leaver
path: their group memberships end (ownership handed over) and the search index forgets
their card. Regression: the admin's action, the change form and the command used to leave
memberships and the index as they were."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from intranet.accounts.models import User
from intranet.accounts.services import agents_deactivate
from intranet.groups.models import Membership
from intranet.search.models import IndexEntry

pytestmark = pytest.mark.django_db


def _queued_agents() -> set[int]:
    return set(IndexEntry.objects.filter(kind="agent").values_list("object_id", flat=True))


def _assert_left(agent, group, heir) -> None:
    assert not Membership.objects.filter(agent=agent).exists()
    assert agent.pk in _queued_agents()
    group.refresh_from_db()
    owner = Membership.objects.get(group=group, role=Membership.Role.OWNER).agent
    assert owner == heir


def test_the_service_releases_groups_and_reindexes(group, alice, carol_member, staff):
    IndexEntry.objects.all().delete()
    assert agents_deactivate(staff, [alice.pk]) == 1
    _assert_left(alice, group, heir=staff)


def test_the_admin_action_releases_groups_and_reindexes(client, group, alice, carol_member, staff):
    IndexEntry.objects.all().delete()
    client.force_login(staff)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_selected", "_selected_action": [alice.pk]},
    )
    assert response.status_code == 302
    _assert_left(alice, group, heir=staff)


def test_a_plain_save_releases_groups_and_reindexes(group, alice, carol_member, staff):
    IndexEntry.objects.all().delete()
    agent = User.objects.get(pk=alice.pk)
    agent.is_active = False
    agent.save()
    _assert_left(alice, group, heir=staff)


def test_the_command_releases_groups_and_reindexes(group, alice, carol_member, staff):
    IndexEntry.objects.all().delete()
    call_command("deactivate_agents", "alice")
    _assert_left(alice, group, heir=staff)


def test_other_saves_change_no_membership(group, alice, carol_member):
    IndexEntry.objects.all().delete()
    agent = User.objects.get(pk=alice.pk)
    agent.title = "Cheffe de projet"
    agent.save()
    assert Membership.objects.filter(agent=alice).count() == 1
    assert alice.pk not in _queued_agents()
