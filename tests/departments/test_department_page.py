"""A department's page: its group (groups), its people (people), its ambassadors
(experts) and its recent public activity (stream), each a section the page does not name."""

import datetime

from intranet.experts.services import ambassador_invite, ambassador_respond
from intranet.groups import services as groups
from intranet.stream.services import posts
from tests.factories import ThemeFactory


def department_page(client, agent, department) -> str:
    client.force_login(agent)
    response = client.get(f"/departments/{department.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_the_department_group_and_its_people(client, alice, bob, carol, finance):
    groups.department_groups_sync([finance.pk])
    group = finance.group
    html = department_page(client, carol, finance)
    assert f'href="/groups/{group.slug}/"' in html
    assert "Alice" in html and "Bob" in html


def test_recent_public_activity_shows_only_what_the_viewer_may_see(
    client, alice, carol, finance, budget
):
    posts.post_create(alice, body="Annonce à tous", visibility="organisation")
    posts.post_create(alice, body="Entre nous du service", visibility="department")
    posts.post_create(alice, body="Secret du budget", visibility="group", group=budget)
    html = department_page(client, carol, finance)
    assert "Annonce à tous" in html
    assert "Entre nous du service" not in html
    assert "Secret du budget" not in html  # a closed group's post is not public


def test_the_page_lists_the_department_ambassadors(client, alice, carol, staff, finance):
    theme = ThemeFactory(curator=staff, name="Marchés publics")
    role = ambassador_invite(
        staff,
        theme=theme,
        department=finance,
        agent=alice,
        starts_on=datetime.date.today() - datetime.timedelta(days=1),
    )
    html = department_page(client, carol, finance)
    assert "Marchés publics" not in html  # invited, not serving yet
    ambassador_respond(alice, role.pk, accept=True)
    html = department_page(client, carol, finance)
    assert "Marchés publics" in html and f'href="/people/{alice.username}/"' in html


def test_a_direction_shows_the_activity_of_its_services_too(client, alice, carol, finance):
    posts.post_create(alice, body="Nouvelles du service", visibility="organisation")
    html = department_page(client, carol, finance.parent)
    assert "Nouvelles du service" in html
    assert "Nouvelles du service" not in department_page(client, alice, carol.department)
