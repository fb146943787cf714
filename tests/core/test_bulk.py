"""intranet.core.bulk.rows_insert: the rows the ORM would have written, defaults included."""

import pytest
from django.utils import timezone

from intranet.accounts.models import User
from intranet.core.bulk import rows_insert
from intranet.groups.models import Group, Membership
from intranet.search.models import IndexEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_absent_columns_take_defaults_and_auto_now_add():
    before = timezone.now()
    assert rows_insert(IndexEntry, [{"kind": "agent", "object_id": n} for n in (1, 2, 3)]) == 3
    entries = list(IndexEntry.objects.order_by("object_id"))
    assert [e.object_id for e in entries] == [1, 2, 3]
    assert {e.action for e in entries} == {IndexEntry.Action.INDEX}
    assert {e.error for e in entries} == {""}
    assert all(e.done_at is None and e.created_at >= before for e in entries)


def test_json_values_are_prepared_like_the_orm_and_rows_may_differ_in_columns():
    rows = [
        {"username": "ana", "password": "!", "directory_fields": ["email", "title"]},
        {"username": "bob", "password": "!", "title": "Chef de bureau"},
    ]
    rows_insert(User, rows)
    ana, bob = User.objects.get(username="ana"), User.objects.get(username="bob")
    assert ana.directory_fields == ["email", "title"] and ana.title == ""
    assert bob.directory_fields == [] and bob.title == "Chef de bureau"
    assert ana.is_active and ana.date_joined is not None


def test_ignore_conflicts_skips_rows_a_unique_constraint_refuses():
    agent = UserFactory()
    group = Group.objects.create(name="Bureau A", slug="bureau-a", policy=Group.Policy.values[0])
    rows_insert(Membership, [{"group_id": group.pk, "agent_id": agent.pk}])
    rows_insert(Membership, [{"group_id": group.pk, "agent_id": agent.pk}], ignore_conflicts=True)
    assert Membership.objects.filter(group=group, agent=agent).count() == 1
    membership = Membership.objects.get(group=group, agent=agent)
    assert membership.role == Membership.Role.MEMBER and not membership.notify_posts


def test_no_rows_sends_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_insert(IndexEntry, []) == 0
