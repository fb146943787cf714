"""Group cards invite a visit: description, members, last post, and the one button the
agent may use (join an open group, ask to join a closed one), checked again on POST."""

import pytest

from intranet.groups import selectors, services
from intranet.groups.models import Group, Membership
from intranet.stream.services import posts


@pytest.fixture
def groups(alice):
    """An open, a closed and a secret group, all alice's."""
    return {
        policy: services.group_create(
            alice,
            name=f"Groupe {policy}",
            description=f"À propos du groupe {policy}",
            policy=policy,
        )
        for policy in ("open", "closed", "secret")
    }


def directory(client, agent) -> str:
    client.force_login(agent)
    response = client.get("/groups/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_outsider_can_join_the_open_group_and_ask_the_closed_one(client, carol, groups):
    html = directory(client, carol)
    assert f'action="/groups/{groups["open"].slug}/join/"' in html
    assert f'action="/groups/{groups["closed"].slug}/request/"' in html
    assert f'action="/groups/{groups["closed"].slug}/join/"' not in html
    assert groups["secret"].slug not in html
    assert "À propos du groupe open" in html


def test_a_member_gets_no_button_and_a_pending_request_is_said(client, alice, carol, groups):
    html = directory(client, alice)
    assert "/join/" not in html and "/request/" not in html
    services.group_request_join(carol, groups["closed"])
    html = directory(client, carol)
    assert f'action="/groups/{groups["closed"].slug}/request/"' not in html
    assert "Demande envoyée" in html  # "Request sent", in the site's French


def test_the_card_tells_the_last_post(client, alice, carol, groups):
    posts.post_create(alice, body="Bonjour", visibility="group", group=groups["open"])
    [card] = [g for g in selectors.group_directory(carol, q="open") if g.pk == groups["open"].pk]
    assert card.last_post_at is not None and card.member_count == 1


def test_joining_from_a_card_comes_back_to_the_directory(client, carol, groups):
    client.force_login(carol)
    response = client.post(f"/groups/{groups['open'].slug}/join/", {"next": "/groups/?q=open"})
    assert response.status_code == 302 and response["Location"] == "/groups/?q=open"
    assert Membership.objects.filter(group=groups["open"], agent=carol).exists()


def test_posting_join_to_a_closed_group_is_refused(client, carol, groups):
    client.force_login(carol)
    client.post(f"/groups/{groups['closed'].slug}/join/", {"next": "https://evil.example/"})
    assert not Membership.objects.filter(group=groups["closed"], agent=carol).exists()
    response = client.post(f"/groups/{groups['secret'].slug}/join/")
    assert response.status_code == 404


def test_suggestions_put_the_department_group_first_and_skip_mine_and_secret(
    alice, carol, groups, finance
):
    services.department_groups_sync([finance.pk], members={finance.pk: []})
    suggested = selectors.suggested_groups(alice)
    assert all(g.policy != Group.Policy.SECRET for g in suggested)
    assert all(g.pk not in {x.pk for x in groups.values()} for g in suggested)  # hers
    assert suggested and suggested[0].department_id == finance.pk
    suggested = selectors.suggested_groups(carol)
    assert groups["open"] in suggested and groups["secret"] not in suggested
    open_card = next(g for g in suggested if g.pk == groups["open"].pk)
    assert open_card.card_can_join and not open_card.card_can_request
