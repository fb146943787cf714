"""An agent's memberships and roles, the input of every group rule: one plain read."""

from intranet.groups import services
from intranet.groups.access import member_group_ids, member_roles
from intranet.groups.models import Group, Membership


def test_member_roles_are_the_agents_memberships_in_one_query(
    alice, bob, carol, django_assert_num_queries
):
    veille = services.group_create(alice, name="Veille", policy=Group.Policy.OPEN)
    comite = services.group_create(bob, name="Comité", policy=Group.Policy.SECRET)
    Membership.objects.create(group=comite, agent=alice, role=Membership.Role.ANIMATOR)
    services.group_create(carol, name="Ailleurs", policy=Group.Policy.CLOSED)
    with django_assert_num_queries(1):
        roles = member_roles(alice)
    assert roles == {veille.pk: "owner", comite.pk: "animator"}
    assert roles == dict(Membership.objects.filter(agent=alice).values_list("group_id", "role"))
    assert member_group_ids(carol) == frozenset(
        Membership.objects.filter(agent=carol).values_list("group_id", flat=True)
    )
