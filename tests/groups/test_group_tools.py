"""Tools per group (intranet.groups.tools): a registry higher apps fill; animators switch
each tool on or off, a tool's tab shows only while it is on, the training-space template
switches every tool on and runs each tool's setup."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from intranet.core import sections
from intranet.groups import access, services, tools
from intranet.groups.models import GroupTool

SETUPS = []


@pytest.fixture
def board_tool(monkeypatch):
    """A tool of a pretend higher app, registered for the test only."""
    monkeypatch.setattr(tools, "_tools", dict(tools._tools))
    monkeypatch.setitem(sections._tabs, "group.tabs", sections.tabs("group.tabs"))
    SETUPS.clear()
    tools.tool_register(
        tools.Tool(
            key="board",
            label="Board",
            url=lambda group: f"/groups/{group.slug}/about/?board",
            order=45,
            setup=lambda actor, group: SETUPS.append((actor.username, group.slug)),
        )
    )
    return "board"


def test_animator_switches_a_tool_on_and_off(budget, bob, board_tool):
    assert services.group_tools_set(bob, budget, keys=["board"]) == {"board"}
    assert tools.tool_enabled(budget, "board")
    assert services.group_tools_set(bob, budget, keys=[]) == frozenset()
    assert not GroupTool.objects.filter(group=budget).exists()


def test_plain_member_may_not_switch_tools(budget, alice, board_tool):
    with pytest.raises(PermissionDenied):
        services.group_tools_set(alice, budget, keys=["board"])


def test_unknown_tool_is_refused_with_its_message(budget, bob, board_tool, english):
    with pytest.raises(ValidationError) as error:
        services.group_tools_set(bob, budget, keys=["board", "<script>"])
    assert error.value.messages == ["Unknown tool: <script>."]


def test_tab_shows_only_while_the_tool_is_on(client, budget, alice, bob, board_tool):
    client.force_login(alice)
    url = f"/groups/{budget.slug}/about/?board"
    assert url not in client.get(f"/groups/{budget.slug}/").content.decode()
    services.group_tools_set(bob, budget, keys=["board"])
    assert url in client.get(f"/groups/{budget.slug}/").content.decode()


def test_access_group_tool_is_404_when_off_or_unreadable(budget, alice, carol, bob, board_tool):
    with pytest.raises(Http404):
        access.access_group_tool(alice, budget.slug, "board")
    services.group_tools_set(bob, budget, keys=["board"])
    assert access.access_group_tool(alice, budget.slug, "board") == budget
    with pytest.raises(Http404):  # closed group, carol is no member
        access.access_group_tool(carol, budget.slug, "board")


def test_training_template_switches_every_tool_on_and_runs_setup(alice, board_tool):
    group = services.group_create(alice, name="Accueil", policy="open", template="training")
    assert {t.key for t in tools.tools()} <= tools.enabled_tool_keys(group)
    assert [("alice", group.slug)] == SETUPS


def test_unknown_template_is_refused(alice, english):
    with pytest.raises(ValidationError) as error:
        services.group_create(alice, name="X", policy="open", template="nope")
    assert error.value.messages == ["Unknown group template."]


def test_tools_page_for_animators_only(client, budget, alice, bob, carol, board_tool):
    url = f"/groups/{budget.slug}/tools/"
    client.force_login(carol)
    assert client.get(url).status_code == 403  # closed group: visible, not hers
    client.force_login(alice)
    assert client.get(url).status_code == 403
    assert client.post(url, {"tools": ["board"]}).status_code == 403
    client.force_login(bob)
    assert client.get(url).status_code == 200
    response = client.post(url, {"tools": ["board"]})
    assert response.status_code == 302
    assert tools.tool_enabled(budget, "board")
    response = client.post(url, {"tools": ["nope"]})
    assert response.status_code == 200  # the form says the choice is not valid


def test_creation_form_offers_the_training_space(client, alice, board_tool):
    client.force_login(alice)
    response = client.post(
        "/groups/new/",
        {"name": "Transformation", "policy": "open", "template": "training"},
    )
    assert response.status_code == 302
    assert SETUPS and SETUPS[0][0] == "alice"
