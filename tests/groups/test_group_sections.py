"""The group page names no higher app: its chat room link comes from chat through the slot
"group.actions", for members only (the room is theirs)."""

from intranet.core import sections
from intranet.groups import services
from intranet.groups.models import Group


def group_page(client, agent, group) -> str:
    client.force_login(agent)
    response = client.get(f"/groups/{group.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_members_get_the_chat_room_link_and_outsiders_do_not(client, alice, carol):
    group = services.group_create(alice, name="Veille", policy=Group.Policy.OPEN)
    room = f"/chat/group/{group.slug}/"
    assert room in group_page(client, alice, group)
    assert room not in group_page(client, carol, group)
    client.force_login(alice)
    assert client.get(room).status_code == 302  # to the room itself


def test_without_chat_the_group_page_shows_no_room_link(client, alice, monkeypatch):
    group = services.group_create(alice, name="Veille", policy=Group.Policy.OPEN)
    monkeypatch.setitem(sections._sections, "group.actions", [])
    kept = [tab for tab in sections.tabs("group.tabs") if tab.key != "discussion"]
    monkeypatch.setitem(sections._tabs, "group.tabs", kept)
    assert f"/chat/group/{group.slug}/" not in group_page(client, alice, group)
