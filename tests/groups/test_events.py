"""Group events: a change of membership makes the agent's sockets re-read their
subscriptions (subscriptions.refresh on agent.<id>), so a new member hears the group's
posts and room at once and a removed one stops hearing them."""

from intranet.groups import services
from intranet.groups.models import Group
from tests.factories import GroupFactory, MembershipFactory


def test_joining_and_leaving_refresh_the_agents_subscriptions(alice, carol, published_events):
    group = GroupFactory(created_by=alice, policy=Group.Policy.OPEN)
    with published_events.committing():
        services.group_join(carol, group)
        services.group_leave(carol, group)
    assert [(p.group, p.message) for p in published_events.sent] == [
        (f"agent.{carol.pk}", {"type": "subscriptions.refresh"}),
        (f"agent.{carol.pk}", {"type": "subscriptions.refresh"}),
    ]


def test_a_removed_member_is_told_and_nobody_else(alice, carol, published_events):
    membership = MembershipFactory(group=GroupFactory(created_by=alice), agent=carol)
    with published_events.committing():
        services.group_member_remove(alice, membership.group, carol)
    assert [(p.group, p.kind) for p in published_events.sent] == [
        (f"agent.{carol.pk}", "subscriptions.refresh")
    ]
