"""The full group page costs a fixed number of queries, whoever looks and whatever it holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intranet.groups import services
from intranet.groups.models import Group, Membership
from intranet.stream.services import posts, reactions
from tests.factories import UserFactory

MAX_QUERIES = (
    23  # session, user, 3 header badges, group, memberships (and roles), department, feed,
)
# pinned, topics, reactions, membership, member count, roles (guardian: 2), themes, subgroups,
# documents (the libraries the agent animates, recent documents, upload batches, the folders
# and documents restricted away from the agent: documents.access.group_documents_q), the
# group's tools (which tabs are on)


@pytest.fixture
def group(alice, carol):
    """alice owns the group; carol is an animator; ten more members."""
    group = services.group_create(alice, name="Veille", policy=Group.Policy.OPEN)
    services.group_join(carol, group)
    services.group_member_role_set(alice, group, carol, role=Membership.Role.ANIMATOR)
    for i in range(10):
        services.group_join(UserFactory(username=f"m{i}"), group)
    return group


def page_queries(client, agent, group) -> int:
    client.force_login(agent)
    url = f"/groups/{group.slug}/"
    client.get(url)  # per-process caches (content types, translations) warmed
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_group_page_query_count_does_not_grow_with_posts_or_pins(
    client, alice, carol, group, django_assert_max_num_queries
):
    posts.post_create(alice, body="premier", visibility="group", group=group)
    before = page_queries(client, carol, group)
    for i in range(30):
        post = posts.post_create(alice, body=f"#x billet {i}", visibility="group", group=group)
        reactions.reaction_toggle(carol, kind="like", post_id=post.pk)
        if i % 10 == 0:
            posts.post_pin(carol, post.pk)
    assert page_queries(client, carol, group) == before
    client.force_login(carol)
    with django_assert_max_num_queries(MAX_QUERIES):
        html = client.get(f"/groups/{group.slug}/").content.decode()
    assert html.count('id="pinned-heading"') == 1 and "billet 20" in html


@pytest.mark.parametrize("who", ["owner", "animator", "member", "outsider", "staff"])
def test_group_page_stays_under_the_query_budget_for_every_role(
    client, alice, carol, staff, group, who, django_assert_max_num_queries
):
    agent = {"owner": alice, "animator": carol, "staff": staff}.get(who)
    if who == "member":
        agent = group.memberships.filter(role="member").first().agent
    if who == "outsider":
        agent = UserFactory(username="dehors")
    posts.post_create(alice, body="bonjour", visibility="group", group=group)
    client.force_login(agent)
    client.get(f"/groups/{group.slug}/")
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(f"/groups/{group.slug}/").status_code == 200


def test_role_checks_are_read_once_per_request(client, alice, group):
    """Three permission checks on the page (moderate, manage, administer): one guardian load."""
    client.force_login(alice)
    client.get(f"/groups/{group.slug}/")
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/groups/{group.slug}/")
    # Guardian's own load of the agent's permissions on the group (the documents' list of
    # the libraries the agent animates is another, single, query of that table).
    guardian = [
        q
        for q in captured
        if "groupuserobjectpermission" in q["sql"]
        and q["sql"].startswith('SELECT "auth_permission"."codename"')
    ]
    assert len(guardian) == 1
