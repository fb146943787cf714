"""Agent cards outside the directory (home page colleagues and newcomers, a profile's
colleagues and reports) read their skills in one prefetch, whatever the number of cards:
the working-day benchmark found 2 queries a card plus one a skill (bench/results/workday.md)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SkillClaimFactory, SkillFactory, UserFactory


def colleagues_with_skills(department, count, skills, **fields):
    agents = [UserFactory(department=department, **fields) for _ in range(count)]
    for agent in agents:
        for skill in skills:
            SkillClaimFactory(agent=agent, skill=skill)
    return agents


def queries(client, url) -> int:
    client.get(url)  # first visit: the caches each request fills
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_home_and_profile_cards_do_not_query_per_card(alice_client, alice, finance):
    skills = [SkillFactory(), SkillFactory()]
    colleagues_with_skills(finance, 1, skills, manager=alice)
    few = {url: queries(alice_client, url) for url in ("/", "/people/alice/")}
    colleagues_with_skills(finance, 4, skills, manager=alice)
    many = {url: queries(alice_client, url) for url in ("/", "/people/alice/")}
    assert many == few


def test_cards_show_each_agents_own_skills(alice_client, alice, finance):
    first, second = SkillFactory(label="Comptabilité publique"), SkillFactory(label="Paie")
    colleague = UserFactory(department=finance, first_name="Zoé", manager=alice)
    SkillClaimFactory(agent=colleague, skill=first)
    other = UserFactory(department=finance, first_name="Yann")
    SkillClaimFactory(agent=other, skill=second)
    html = alice_client.get("/").content.decode()
    cards = html.split('<li class="card agent-card">')[1:]
    zoe = next(card for card in cards if f"/people/{colleague.username}/" in card)
    yann = next(card for card in cards if f"/people/{other.username}/" in card)
    assert "Comptabilité publique" in zoe and "Paie" not in zoe
    assert "Paie" in yann and "Comptabilité publique" not in yann
