"""The main menu's moderation link reads the agent's roles with their memberships: one
query per request for both, and a role or membership changed during the request is seen
at once (the request cache is forgotten by the groups services)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from intranet.core.request_cache import RequestCacheMiddleware
from intranet.groups import services
from intranet.groups.access import member_group_ids
from intranet.groups.models import Group, Membership
from intranet.moderation.access import can_moderate_anything, moderated_group_ids


@pytest.fixture
def veille(alice, carol):
    group = services.group_create(alice, name="Veille", policy=Group.Policy.OPEN)
    services.group_join(carol, group)
    return group


def in_request(compute):
    """compute() with the request cache on, as while a page renders."""
    return RequestCacheMiddleware(lambda request: compute())(None)


def test_roles_and_groups_are_one_query_per_request(alice, veille):
    def page_frame():
        with CaptureQueriesContext(connection) as captured:
            assert can_moderate_anything(alice)
            assert veille.pk in member_group_ids(alice)
            assert moderated_group_ids(alice) == [veille.pk]
        return len(captured)

    assert in_request(page_frame) == 1


def test_a_role_changed_during_the_request_is_seen_at_once(alice, carol, veille):
    def steps():
        seen = [can_moderate_anything(carol)]
        services.group_member_role_set(alice, veille, carol, role=Membership.Role.ANIMATOR)
        seen.append(can_moderate_anything(carol))
        services.group_member_role_set(alice, veille, carol, role=Membership.Role.MEMBER)
        seen.append(can_moderate_anything(carol))
        services.group_leave(carol, veille)
        seen.append(veille.pk in member_group_ids(carol))
        return seen

    assert in_request(steps) == [False, True, False, False]


def test_the_link_shows_to_animators_only(client, alice, carol, bob, veille):
    """Never one agent's roles on another's page: alice (owner) sees the link, carol
    (member) and bob (no member) do not, each in turn on the same process."""
    with translation.override("en"):
        for agent, shown in ((alice, True), (carol, False), (bob, False), (alice, True)):
            client.force_login(agent)
            html = client.get("/").content.decode()
            assert ('href="/moderation/"' in html) is shown, agent.username
