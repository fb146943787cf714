"""An agent's memberships and roles, the input of every group rule: one plain read."""

from intranet.core.request_cache import RequestCacheMiddleware
from intranet.documents.access import animator_group_ids
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


def in_request(compute):
    """compute() with the request cache on, as while a page renders."""
    return RequestCacheMiddleware(lambda request: compute())(None)


def test_a_role_given_during_a_request_reaches_the_animated_libraries_at_once(alice, carol):
    """documents' animator_group_ids is read from the group permissions once per request;
    forget_group_perms (called by the role's service) drops it with them, so carol, made
    an animator after it was read, animates the library in the rest of that request."""
    veille = services.group_create(alice, name="Veille", policy=Group.Policy.OPEN)
    services.group_join(carol, veille)

    def page():
        before = animator_group_ids(carol)
        services.group_member_role_set(alice, veille, carol, role=Membership.Role.ANIMATOR)
        after = animator_group_ids(carol)
        services.group_member_role_set(alice, veille, carol, role=Membership.Role.MEMBER)
        return before, after, animator_group_ids(carol)

    before, after, demoted = in_request(page)
    assert veille.pk not in before
    assert veille.pk in after
    assert veille.pk not in demoted
