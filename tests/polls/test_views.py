"""Poll pages: the access matrix (not visible = 404), voting by the form, results shown
when the animator chose, the SVG's values, hostile input never a 500."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.polls import services
from intranet.polls.models import Ballot, Poll
from tests.factories import GroupFactory, UserFactory
from tests.polls.conftest import in_days

SVG = "{http://www.w3.org/2000/svg}"


def urls(poll):
    slug = poll.group.slug
    return {
        "list": reverse("polls:poll-list", args=[slug]),
        "detail": reverse("polls:poll-detail", args=[slug, poll.pk]),
        "vote": reverse("polls:poll-vote", args=[slug, poll.pk]),
    }


def svg_values(html: str) -> list[tuple[str, int, str]]:
    """(label, votes, value written) of each bar of the page's chart, parsed as XML."""
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    root = ET.fromstring(html[start:end])  # noqa: S314 - our own page, in a test
    bars = []
    for g in root.iter(f"{SVG}g"):
        texts = [t.text for t in g.iter(f"{SVG}text")]
        bars.append((texts[0], int(g.get("data-votes")), texts[1]))
    return bars


@pytest.mark.parametrize("policy", ["open", "closed", "secret"])
@pytest.mark.parametrize("who", ["member", "outsider", "anonymous", "staff"])
def test_access_matrix(client, alice, carol, staff, policy, who):
    group = GroupFactory(created_by=alice, name=f"Espace {policy}", policy=policy)
    group_services.group_tools_set(alice, group, keys=["polls"])
    poll = services.poll_create(
        alice, group, question="Q ?", choices=["a", "b"], closes_at=in_days(2)
    )
    actor = {"member": alice, "outsider": carol, "staff": staff, "anonymous": None}[who]
    if actor:
        client.force_login(actor)
    may_see = who in ("member", "staff") or (who == "outsider" and policy == "open")
    for name, url in urls(poll).items():
        response = (
            client.post(url, {"choice": poll.choices.first().pk})
            if name == "vote"
            else client.get(url)
        )
        if who == "anonymous":
            assert response.status_code == 302 and "login" in response["Location"]
        elif not may_see:
            assert response.status_code == 404, (name, url)
        elif name == "vote":  # members vote; others who see the poll may not
            assert response.status_code == (302 if who == "member" else 403)
        else:
            assert response.status_code == 200
    assert Ballot.objects.filter(poll=poll).exists() == (who == "member")
    missing = reverse("polls:poll-detail", args=[group.slug, poll.pk + 1000])
    if actor:
        assert client.get(missing).status_code == 404


def test_poll_of_another_group_is_404(client, poll, alice):
    other = GroupFactory(created_by=alice, name="Autre", policy=Group.Policy.CLOSED)
    client.force_login(alice)
    assert client.get(reverse("polls:poll-detail", args=[other.slug, poll.pk])).status_code == 404


def test_vote_then_see_results_in_svg_and_table(client, poll, alice, bob):
    tuesday = poll.choices.get(label="Mardi")
    services.poll_vote(bob, poll, choice_ids=[tuesday.pk])
    client.force_login(alice)
    page = client.get(urls(poll)["detail"]).content.decode()
    assert "<svg" not in page and 'name="choice"' in page
    response = client.post(urls(poll)["vote"], {"choice": tuesday.pk}, follow=True)
    page = response.content.decode()
    assert "Your vote has been recorded." in page or "Votre vote" in page
    assert svg_values(page) == [
        ("Lundi", 0, "0 (0\u00a0%)"),
        ("Mardi", 2, "2 (100\u00a0%)"),
        ("Jeudi", 0, "0 (0\u00a0%)"),
    ]
    assert '<th scope="row">Mardi</th><td>2 (100\u00a0%)</td>' in page
    assert 'name="choice"' not in page


def test_results_after_close_are_hidden_from_voters_until_then(client, budget, alice, bob):
    poll = services.poll_create(
        bob,
        budget,
        question="Q ?",
        choices=["a", "b"],
        closes_at=in_days(1),
        results=Poll.Results.AFTER_CLOSE,
    )
    services.poll_vote(alice, poll, choice_ids=[poll.choices.first().pk])
    client.force_login(alice)
    assert "<svg" not in client.get(urls(poll)["detail"]).content.decode()
    client.force_login(bob)  # the animator follows the votes
    assert "<svg" in client.get(urls(poll)["detail"]).content.decode()
    Poll.objects.filter(pk=poll.pk).update(closes_at=in_days(-1))
    client.force_login(alice)
    assert "<svg" in client.get(urls(poll)["detail"]).content.decode()


def test_named_poll_shows_voters_to_the_animator_only(client, named_poll, alice, bob):
    services.poll_vote(alice, named_poll, choice_ids=[named_poll.choices.first().pk])
    client.force_login(bob)
    assert "Alice" in client.get(urls(named_poll)["detail"]).content.decode()
    client.force_login(alice)
    page = client.get(urls(named_poll)["detail"]).content.decode()
    assert "<svg" in page and "Who chose what" not in page and "Qui a choisi" not in page


HOSTILE = ["<script>alert(1)</script>", '"><svg onload=alert(1)>', "]]>&amp;\u0000", "x" * 400]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_question_and_choices_are_escaped(client, budget, bob, alice, text):
    client.force_login(bob)
    response = client.post(
        reverse("polls:poll-list", args=[budget.slug]),
        {
            "question": text[:300],
            "choices": f"{text[:200]}\nautre",
            "closes_at": "2099-01-01T10:00",
            "results": "after_vote",
        },
    )
    assert response.status_code in (200, 302)
    poll = Poll.objects.first()
    if poll is None:
        return
    services.poll_vote(alice, poll, choice_ids=[poll.choices.first().pk])
    page = client.get(urls(poll)["detail"]).content.decode()
    assert "<script>alert" not in page and "<svg onload" not in page
    svg_values(page)  # still well-formed XML


@pytest.mark.parametrize(
    "data",
    [{}, {"choice": "abc"}, {"choice": ["1", "2"]}, {"choice": "9" * 40}, {"choice": "-3"}],
)
def test_hostile_vote_is_refused_with_a_message(client, poll, alice, data):
    client.force_login(alice)
    response = client.post(urls(poll)["vote"], data, follow=True)
    assert response.status_code == 200
    assert not Ballot.objects.exists()


@pytest.mark.parametrize("bad", ["", "demain", "2020-01-01T10:00", "99999-99-99"])
def test_hostile_create_form(client, budget, bob, bad):
    client.force_login(bob)
    response = client.post(
        reverse("polls:poll-list", args=[budget.slug]),
        {"question": "Q ?", "choices": "a\nb", "closes_at": bad, "results": "after_vote"},
    )
    assert response.status_code == 200
    assert not Poll.objects.exists()


def test_member_cannot_create_and_list_shows_tab(client, budget, alice, poll):
    client.force_login(alice)
    page = client.get(reverse("polls:poll-list", args=[budget.slug])).content.decode()
    assert "Publish the poll" not in page and "Publier le sondage" not in page
    assert poll.question.replace("’", "&#x27;") in page or "Quel jour" in page
    response = client.post(
        reverse("polls:poll-list", args=[budget.slug]),
        {"question": "Q ?", "choices": "a\nb", "closes_at": "2099-01-01T10:00"},
    )
    assert response.status_code == 403
    group_page = client.get(reverse("groups:group-detail", args=[budget.slug])).content.decode()
    assert reverse("polls:poll-list", args=[budget.slug]) in group_page


def test_poll_page_queries_do_not_grow_with_votes(
    client, named_poll, finance, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from intranet.groups.models import Membership

    client.force_login(named_poll.author)
    url = urls(named_poll)["detail"]
    client.get(url)  # warm the per-process caches (theme, site settings)
    counts = []
    for batch in range(2):
        for n in range(5):
            agent = UserFactory(username=f"v{batch}-{n}", department=finance)
            Membership.objects.create(group=named_poll.group, agent=agent)
            services.poll_vote(agent, named_poll, choice_ids=[named_poll.choices.first().pk])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_polls_are_404_while_the_tool_is_off(client, poll, alice, bob, staff):
    group_services.group_tools_set(staff, poll.group, keys=[])
    client.force_login(bob)
    for name, url in urls(poll).items():
        response = client.post(url, {"choice": 1}) if name == "vote" else client.get(url)
        assert response.status_code == 404, name
    group_page = client.get(reverse("groups:group-detail", args=[poll.group.slug]))
    assert urls(poll)["list"] not in group_page.content.decode()


def test_a_long_label_is_cut_in_the_chart_but_whole_in_the_table(client, budget, bob):
    long = "Une réponse vraiment très longue pour un petit graphique en barres"
    poll = services.poll_create(
        bob, budget, question="Q ?", choices=[long, "Court"], closes_at=in_days(1)
    )
    client.force_login(bob)
    page = client.get(urls(poll)["detail"]).content.decode()
    (first, _, _), (second, _, _) = svg_values(page)
    assert first.endswith("…") and len(first) == 44 and long.startswith(first[:-1])
    assert second == "Court"
    assert f'<th scope="row">{long}</th>' in page
