"""A group's page has tabs from a registry (core.sections "group.tabs"): each a real page,
shown only to those who may use the tool, the current one marked aria-current."""

import re

import pytest

from intranet.core import sections
from intranet.groups import services
from intranet.groups.models import Group


def page(client, agent, url, status=200) -> str:
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == status
    return response.content.decode()


def tab_links(html: str) -> list[tuple[str, bool]]:
    nav = re.search(r'<nav class="tabs group-tabs".*?</nav>', html, re.S)
    assert nav, "the group page has its tabs"
    return [
        (href, bool(current))
        for href, current in re.findall(r'<a href="([^"]+)"( aria-current="page")?>', nav.group())
    ]


@pytest.fixture
def open_group(alice):
    return services.group_create(alice, name="Veille", policy=Group.Policy.OPEN)


def test_a_member_sees_every_tab_and_the_current_one_is_marked(client, alice, open_group):
    slug = open_group.slug
    links = tab_links(page(client, alice, f"/groups/{slug}/members/"))
    assert links == [
        (f"/groups/{slug}/", False),
        (f"/chat/group/{slug}/", False),
        (f"/groups/{slug}/members/", True),
        (f"/groups/{slug}/documents/", False),  # the documents app's tab
        (f"/groups/{slug}/about/", False),
    ]
    assert tab_links(page(client, alice, f"/groups/{slug}/"))[0] == (f"/groups/{slug}/", True)
    assert tab_links(page(client, alice, f"/groups/{slug}/about/"))[-1][1] is True


def test_the_discussion_tab_is_for_members_only(client, carol, open_group):
    links = [href for href, _ in tab_links(page(client, carol, f"/groups/{open_group.slug}/"))]
    assert f"/chat/group/{open_group.slug}/" not in links
    assert f"/groups/{open_group.slug}/members/" in links  # an open group's members are public


def test_an_outsider_of_a_closed_group_sees_neither_members_nor_discussion(client, carol, group):
    links = [href for href, _ in tab_links(page(client, carol, f"/groups/{group.slug}/"))]
    assert links == [f"/groups/{group.slug}/", f"/groups/{group.slug}/about/"]
    page(client, carol, f"/groups/{group.slug}/members/", status=404)
    assert "Veille" in page(client, carol, f"/groups/{group.slug}/about/")


def test_the_about_page_of_a_secret_group_is_404_for_outsiders(client, alice, carol):
    secret = services.group_create(alice, name="Comité", policy=Group.Policy.SECRET)
    page(client, carol, f"/groups/{secret.slug}/about/", status=404)
    page(client, carol, f"/groups/{secret.slug}/about-nothing/", status=404)


def test_a_higher_app_adds_its_tab_without_the_group_page_naming_it(
    client, alice, open_group, monkeypatch
):
    tool = sections.Tab(
        slot="group.tabs",
        key="documents",
        label="Documents",
        url=lambda group: f"/documents/{group.slug}/",
        order=40,
        visible=lambda request, group: request.user.pk == alice.pk,
    )
    monkeypatch.setitem(sections._tabs, "group.tabs", sections.tabs("group.tabs"))
    sections.tab_register(tool)
    links = [href for href, _ in tab_links(page(client, alice, f"/groups/{open_group.slug}/"))]
    assert links.index(f"/documents/{open_group.slug}/") == 3  # after Membres, before À propos


def test_the_about_page_shows_the_description_and_the_animators(client, alice, carol, open_group):
    services.group_update(
        alice,
        open_group,
        name="Veille",
        description="Une **veille** <script>alert(1)</script> partagée",
        policy=Group.Policy.OPEN,
        themes=["Veille"],
    )
    html = page(client, carol, f"/groups/{open_group.slug}/about/")
    assert "<strong>veille</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "Lefèvre" in html  # alice, the owner, animates it


def test_a_tool_page_below_a_tab_marks_that_tab(client, alice, open_group):
    """A folder of the library is in the "Documents" tab, not in the group's own address
    that prefixes every tab's."""
    slug = open_group.slug
    links = dict(tab_links(page(client, alice, f"/groups/{slug}/documents/")))
    assert links[f"/groups/{slug}/documents/"] is True
    assert links[f"/groups/{slug}/"] is False


@pytest.mark.parametrize(("tool", "path"), [("events", "events/"), ("polls", "polls/")])
def test_a_tools_own_page_marks_its_tab_current(client, alice, open_group, tool, path):
    services.group_tools_set(alice, open_group, keys=[tool])
    url = f"/groups/{open_group.slug}/{path}"
    current = [href for href, is_current in tab_links(page(client, alice, url)) if is_current]
    assert current == [url]
