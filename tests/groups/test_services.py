"""Group services: policies, requests, invitations, roles as guardian permissions, handover."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from intranet.groups import access
from intranet.groups import services as s
from intranet.groups.models import Group, Invitation, JoinRequest, Membership
from intranet.groups.selectors import group_directory, similar_groups
from intranet.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def closed(alice):
    return s.group_create(
        alice, name="Cellule marchés", policy=Group.Policy.CLOSED, themes=["Achats"]
    )


def test_creator_is_owner_with_every_power(alice, closed):
    membership = access.membership_of(alice, closed)
    assert membership.role == Membership.Role.OWNER
    assert alice.has_perm(access.PERM_ADMINISTER, closed)
    assert access.can_manage_members(alice, closed) and access.can_moderate_group(alice, closed)


def test_open_group_join_and_leave(alice, carol):
    group = s.group_create(alice, name="Club lecture", policy=Group.Policy.OPEN)
    s.group_join(carol, group)
    assert access.is_member(carol, group)
    s.group_leave(carol, group)
    assert not access.is_member(carol, group)


def test_closed_group_needs_approval_and_notifies_animators(alice, carol, closed):
    with pytest.raises(PermissionDenied):
        s.group_join(carol, closed)
    request = s.group_request_join(carol, closed, message="Bonjour")
    assert s.group_request_join(carol, closed).pk == request.pk
    assert Notification.objects.filter(recipient=alice, kind="membership_request").count() == 1
    s.join_request_decide(alice, request, approve=True)
    assert access.is_member(carol, closed)
    assert Notification.objects.filter(recipient=carol, kind="membership_approved").exists()


def test_only_managers_decide_requests(alice, carol, closed):
    bob = UserFactory(username="bob")
    request = s.group_request_join(carol, closed)
    with pytest.raises(PermissionDenied):
        s.join_request_decide(bob, request, approve=True)
    s.join_request_decide(alice, request, approve=False)
    assert JoinRequest.objects.get().status == JoinRequest.Status.DECLINED
    assert not access.is_member(carol, closed)


def test_secret_group_is_invitation_only(alice, carol):
    secret = s.group_create(alice, name="Projet X", policy=Group.Policy.SECRET)
    with pytest.raises(PermissionDenied):
        s.group_request_join(carol, secret)
    (invitation,) = s.group_invite(alice, secret, agents=[carol])
    s.invitation_answer(carol, invitation, accept=True)
    assert access.is_member(carol, secret)


def test_invite_a_whole_department_once(alice, closed, finance):
    others = UserFactory.create_batch(3, department=finance)
    first = s.group_invite(alice, closed, department=finance)
    again = s.group_invite(alice, closed, department=finance)
    assert {i.agent for i in first} == set(others) and again == []
    assert Invitation.objects.count() == 3


def test_someone_elses_invitation_cannot_be_answered(alice, carol, closed):
    bob = UserFactory(username="bob")
    (invitation,) = s.group_invite(alice, closed, agents=[carol])
    with pytest.raises(PermissionDenied):
        s.invitation_answer(bob, invitation, accept=True)


def test_roles_grant_and_withdraw_guardian_permissions(alice, carol, closed):
    s._add_member(closed, carol)
    s.group_member_role_set(alice, closed, carol, role="animator")
    assert carol.has_perm(access.PERM_MODERATE, closed)
    assert not carol.has_perm(access.PERM_ADMINISTER, closed)
    s.group_member_role_set(alice, closed, carol, role="member")
    carol = type(carol).objects.get(pk=carol.pk)  # guardian caches per user object
    assert not carol.has_perm(access.PERM_MODERATE, closed)
    with pytest.raises(ValidationError, match="hand over ownership"):
        s.group_member_role_set(alice, closed, carol, role="owner")


def test_animator_cannot_remove_another_animator_but_owner_can(alice, carol, closed):
    bob = UserFactory(username="bob")
    for agent in (carol, bob):
        s._add_member(closed, agent)
        s.group_member_role_set(alice, closed, agent, role="animator")
    with pytest.raises(PermissionDenied):
        s.group_member_remove(carol, closed, bob)
    s.group_member_remove(alice, closed, bob)
    assert not access.is_member(bob, closed)
    with pytest.raises(ValidationError, match="owner cannot be removed"):
        s.group_member_remove(alice, closed, alice)


def test_owner_leaving_hands_over_to_the_oldest_animator(alice, carol, closed):
    s._add_member(closed, carol)
    s.group_member_role_set(alice, closed, carol, role="animator")
    s.group_leave(alice, closed)
    assert Membership.objects.get(group=closed, role="owner").agent == carol
    assert Notification.objects.filter(recipient=carol, kind="ownership_received").exists()


def test_owner_leaving_the_administration_hands_over_to_staff(alice, staff, closed):
    s.agent_groups_release(alice)
    assert Membership.objects.get(group=closed, role="owner").agent == staff
    assert (
        not access.is_member(alice, closed) or not Membership.objects.filter(agent=alice).exists()
    )


def test_ownership_transfer_requires_an_active_member(alice, carol, closed):
    with pytest.raises(ValidationError, match="active member"):
        s.group_ownership_transfer(alice, closed, carol)
    s._add_member(closed, carol)
    s.group_ownership_transfer(alice, closed, carol)
    roles = dict(Membership.objects.filter(group=closed).values_list("agent__username", "role"))
    assert roles == {"carol": "owner", "alice": "animator"}


def test_archived_group_takes_no_new_members(alice, carol, closed):
    (invitation,) = s.group_invite(alice, closed, agents=[carol])
    s.group_archive(alice, closed)
    closed.refresh_from_db()
    with pytest.raises(ValidationError, match="archived"):
        s.invitation_answer(carol, invitation, accept=True)
    assert not access.can_manage_members(alice, closed)


def test_only_staff_mark_groups_official(alice, staff, closed):
    with pytest.raises(PermissionDenied):
        s.group_mark_official(alice, closed)
    s.group_mark_official(staff, closed)
    closed.refresh_from_db()
    assert closed.is_official


def test_similar_groups_by_theme_or_name(alice, carol, closed):
    assert similar_groups(carol, name="Marchés publics", themes=[]) == [closed]
    assert similar_groups(carol, name="Autre chose", themes=["achats"]) == [closed]
    secret = s.group_create(alice, name="Marchés confidentiels", policy=Group.Policy.SECRET)
    assert secret not in similar_groups(carol, name="Marchés", themes=[])


def test_directory_filters_and_counts(alice, carol, closed):
    open_group = s.group_create(carol, name="Jardin partagé", policy=Group.Policy.OPEN)
    s.group_join(alice, open_group)
    mine = list(group_directory(carol, mine=True))
    assert mine == [open_group] and mine[0].member_count == 2
    assert list(group_directory(carol, theme="ACHATS")) == [closed]


def test_department_group_mirrors_its_agents(finance, alice):
    other = UserFactory(department=finance)
    group = s.department_group_sync(finance, [alice, other])
    assert group.kind == Group.Kind.DEPARTMENT and group.policy == Group.Policy.CLOSED
    assert set(group.memberships.values_list("agent__username", flat=True)) == {
        "alice",
        other.username,
    }
    same = s.department_group_sync(finance, [alice])
    assert same.pk == group.pk and list(group.memberships.values_list("agent", flat=True)) == [
        alice.pk
    ]


def test_subgroup_needs_the_parent_administrator(alice, carol, closed):
    with pytest.raises(PermissionDenied):
        s.group_create(carol, name="Sous-groupe", policy=Group.Policy.OPEN, parent=closed)
    sub = s.group_create(alice, name="Sous-groupe", policy=Group.Policy.OPEN, parent=closed)
    assert sub.parent == closed


def test_slugs_are_unique_and_ascii(alice):
    a = s.group_create(alice, name="Équipe Numérique", policy=Group.Policy.OPEN)
    b = s.group_create(alice, name="Equipe numerique", policy=Group.Policy.OPEN)
    assert a.slug != b.slug
    for group in (a, b):
        assert re.fullmatch(r"equipe-numerique-[a-z0-9]{6}", group.slug)


def test_a_new_address_says_nothing_about_secret_groups(alice, carol, client):
    """Naming a group like a secret group one cannot see gives the same shape of address as
    a name nobody uses: no "-2" telling that the name is taken."""
    s.group_create(alice, name="Cellule de crise", policy=Group.Policy.SECRET)
    client.force_login(carol)
    addresses = []
    for name in ("Cellule de crise", "Atelier inédit"):
        response = client.post("/groups/new/", {"name": name, "policy": "open"})
        assert response.status_code == 302
        addresses.append(response["Location"])
    taken, fresh = addresses
    assert re.fullmatch(r"/groups/cellule-de-crise-[a-z0-9]{6}/", taken)
    assert re.fullmatch(r"/groups/atelier-inedit-[a-z0-9]{6}/", fresh)


def test_addresses_made_before_the_random_suffix_keep_working(alice, client):
    group = s.group_create(alice, name="Ancien groupe", policy=Group.Policy.OPEN)
    Group.objects.filter(pk=group.pk).update(slug="ancien-groupe")
    client.force_login(alice)
    assert client.get("/groups/ancien-groupe/").status_code == 200


def test_subgroup_through_the_creation_page(alice, carol, closed, client):
    client.force_login(alice)
    response = client.post(
        "/groups/new/",
        {
            "name": "Équipe achats durables",
            "policy": "open",
            "parent": closed.pk,
            "confirm_distinct": "on",
        },
    )
    assert response.status_code == 302
    assert Group.objects.get(name="Équipe achats durables").parent == closed
    client.force_login(carol)
    client.post("/groups/new/", {"name": "Intrus", "policy": "open", "parent": closed.pk})
    assert Group.objects.get(name="Intrus").parent is None
