"""Who sees and edits wiki pages: outsider / member / animator / staff × open / closed /
secret groups, and the wiki switched off (404 for everyone)."""

import pytest

from intranet.groups import services as group_services
from intranet.groups.models import Membership
from intranet.wiki import services

READ = {
    # policy: (carol the outsider, alice the member, bob the animator, staff)
    "open": (200, 200, 200, 200),
    "closed": (404, 200, 200, 200),
    "secret": (404, 200, 200, 200),
}
EDIT = {
    "open": (403, 200, 200, 200),
    "closed": (404, 200, 200, 200),
    "secret": (404, 200, 200, 200),
}


def make_group(staff, alice, bob, policy, *, wiki=True):
    group = group_services.group_create(staff, name=f"Espace {policy}", policy=policy)
    Membership.objects.create(group=group, agent=alice)
    Membership.objects.create(group=group, agent=bob)
    group_services.group_member_role_set(staff, group, bob, role="animator")
    if wiki:
        group_services.group_tools_set(staff, group, keys=["wiki"])
    page = services.page_create(staff, group, title="Accueil", body="Bienvenue")
    return group, page


@pytest.mark.parametrize("policy", ["open", "closed", "secret"])
def test_access_matrix(client, staff, alice, bob, carol, policy):
    group, _page = make_group(staff, alice, bob, policy)
    base = f"/groups/{group.slug}/wiki/"
    for agent, read, edit in zip(
        (carol, alice, bob, staff), READ[policy], EDIT[policy], strict=True
    ):
        client.force_login(agent)
        for url in (
            base,
            f"{base}accueil/",
            f"{base}accueil/history/",
            f"{base}accueil/diff/?from=1&to=1",
        ):
            assert client.get(url).status_code == read, (agent.username, url)
        assert client.get(f"{base}accueil/edit/").status_code == edit, agent.username
        assert client.get(f"{base}new/").status_code == edit, agent.username


@pytest.mark.parametrize("policy", ["open", "closed", "secret"])
def test_wiki_switched_off_is_404_for_everyone(client, staff, alice, bob, carol, policy):
    group, _page = make_group(staff, alice, bob, policy)
    group_services.group_tools_set(staff, group, keys=[])
    for agent in (carol, alice, bob, staff):
        client.force_login(agent)
        for suffix in ("", "accueil/", "accueil/edit/", "accueil/history/", "new/"):
            assert client.get(f"/groups/{group.slug}/wiki/{suffix}").status_code == 404
        response = client.post(
            f"/groups/{group.slug}/wiki/accueil/versions/1/restore/", {"version": 1}
        )
        assert response.status_code == 404


def test_tab_shows_for_readers_only_while_on(client, staff, alice, bob, carol):
    group, _page = make_group(staff, alice, bob, "open")
    client.force_login(carol)
    assert (
        f'href="/groups/{group.slug}/wiki/"'
        in client.get(f"/groups/{group.slug}/").content.decode()
    )
    group_services.group_tools_set(staff, group, keys=[])
    assert (
        f'href="/groups/{group.slug}/wiki/"'
        not in client.get(f"/groups/{group.slug}/").content.decode()
    )


def test_animators_only_page_is_403_for_members(client, staff, alice, bob):
    group, _page = make_group(staff, alice, bob, "closed")
    services.page_create(bob, group, title="Charte", editors="animators")
    client.force_login(alice)
    assert client.get(f"/groups/{group.slug}/wiki/charte/edit/").status_code == 403
    client.force_login(bob)
    assert client.get(f"/groups/{group.slug}/wiki/charte/edit/").status_code == 200


def test_missing_page_and_bad_numbers_are_404(client, staff, alice, bob):
    group, _page = make_group(staff, alice, bob, "closed")
    client.force_login(alice)
    base = f"/groups/{group.slug}/wiki/"
    assert client.get(f"{base}nope/").status_code == 404
    assert client.get(f"{base}accueil/diff/?from=abc").status_code == 404
    assert client.get(f"{base}accueil/diff/?from=1&to=99").status_code == 404
    assert client.get(f"{base}accueil/diff/?from=99999999999999999999").status_code == 404
    response = client.post(
        f"{base}accueil/edit/",
        {"title": "Accueil", "body": "x", "version": "99999999999999999999", "parent": ""},
    )
    assert response.status_code == 200  # the form refuses it, nothing saved
