"""The access matrix over every surface of the group tools (issue 19): wiki pages
(contents, page, history, diff, search, stream), sessions (group list, session page,
.ics file, the group's webcal feed and the agent's own, calendar month and list, CSV of
attendees, notifications), polls (list, page with its SVG results) and the tools page.

A secret and a closed group, each with every tool on; a unique token sits in the page's
title, the session's title and the poll's question. Actors: outsider, former member,
deactivated agent, member, animator, staff. Not visible means 404 (like a missing
object) and the token in nothing the actor can load: calendar, feeds, search, stream,
notifications.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from intranet.events import services as event_services
from intranet.groups import services as group_services
from intranet.notifications.models import Kind, Notification
from intranet.polls import services as poll_services
from intranet.polls.models import Poll
from intranet.search.selectors import search
from intranet.wiki import services as wiki_services
from tests.factories import UserFactory
from tests.search.conftest import index_now

ACTORS = ["outsider", "former_member", "deactivated", "member", "animator", "staff"]
READERS = {"member", "animator", "staff"}
MANAGERS = {"animator", "staff"}


@pytest.fixture
def scene(db, private_index, settings):
    settings.TRANSVERSE_SEARCH_ENGINE = "whoosh"
    owner = UserFactory(username="tools-owner")
    agents = {name: UserFactory(username=name) for name in ACTORS if name != "staff"}
    agents["staff"] = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    return owner, agents


def build(scene, policy: str):
    owner, agents = scene
    token = f"zqx{policy}tok"
    group = group_services.group_create(owner, name=f"Espace {token}", policy=policy)
    group_services.group_tools_set(owner, group, keys=["wiki", "events", "polls"])
    for name in ("member", "animator", "former_member", "deactivated"):
        group_services._add_member(group, agents[name])
    group_services.group_member_role_set(owner, group, agents["animator"], role="animator")

    page = wiki_services.page_create(
        owner, group, title=f"Page {token}", body=f"Texte {token}", comment=token
    )
    page = wiki_services.page_edit(
        owner, page, base_version=1, title=page.title, body=f"Texte {token}\n\nSuite"
    )
    event = event_services.event_create(
        owner,
        group,
        title=f"Session {token}",
        starts_at=timezone.now() + timedelta(days=3),
        duration_minutes=60,
        capacity=2,
    )
    # The member and the owner hold the seats; the former member and the deactivated
    # agent wait, and the former member is promoted (and notified) once out of the group.
    event_services.event_register(agents["member"], event)
    event_services.event_register(owner, event)
    event_services.event_register(agents["former_member"], event)
    event_services.event_register(agents["deactivated"], event)
    poll = poll_services.poll_create(
        owner,
        group,
        question=f"Sondage {token} ?",
        choices=["Oui", "Non"],
        closes_at=timezone.now() + timedelta(days=3),
        results=Poll.Results.AFTER_VOTE,
    )
    poll_services.poll_vote(agents["member"], poll, choice_ids=[poll.choices.first().pk])

    group_services.group_leave(agents["former_member"], group)
    agents["deactivated"].is_active = False
    agents["deactivated"].save()
    event_services.event_cancel(owner, event)  # promotes the former member
    index_now()
    return group, page, event, poll, token


def feed_urls(agent, slug: str) -> tuple[str, str]:
    token = event_services.calendar_token(agent)
    return f"/events/feed/{agent.pk}/{token}.ics", f"/events/feed/{agent.pk}/{token}/{slug}.ics"


def text(response) -> str:
    return response.content.decode(errors="replace") if response.status_code == 200 else ""


@pytest.mark.parametrize("policy", ["secret", "closed"])
@pytest.mark.parametrize("actor", ACTORS)
def test_tools_access_matrix(scene, policy, actor):
    group, page, event, poll, token = build(scene, policy)
    agent = scene[1][actor]
    reader = actor in READERS
    client = Client()
    client.force_login(agent)
    wiki = f"/groups/{group.slug}/wiki/"
    session = f"/groups/{group.slug}/events/{event.pk}/"
    pages = [
        wiki,
        f"{wiki}{page.slug}/",
        f"{wiki}{page.slug}/history/",
        f"{wiki}{page.slug}/diff/?from=1&to=2",
        f"/groups/{group.slug}/events/",
        session,
        f"{session}event.ics",
        f"/groups/{group.slug}/polls/",
        f"/groups/{group.slug}/polls/{poll.pk}/",
    ]
    for url in pages:
        response = client.get(url)
        if reader:
            assert response.status_code == 200, (url, response.status_code)
            assert token in text(response), url
        elif actor == "deactivated":
            # Signed out on their next request, like any visitor: never the content.
            assert response.status_code in (302, 404), (url, response.status_code)
            assert token not in text(response), url
        else:
            assert response.status_code == 404, (url, response.status_code)

    csv = client.get(f"{session}attendees.csv")
    if actor in MANAGERS:
        assert csv.status_code == 200 and "member" in text(csv)
    else:
        assert csv.status_code in ((302, 404) if actor == "deactivated" else (404,))
    if actor == "member":  # voted: the results, an SVG chart with its table
        assert "<svg" in text(client.get(f"/groups/{group.slug}/polls/{poll.pk}/"))
    tools = client.get(f"/groups/{group.slug}/tools/")
    if actor in MANAGERS:
        assert tools.status_code == 200
    elif actor == "deactivated" or (policy == "secret" and not reader):
        assert tools.status_code in (302, 404) and token not in text(tools)
    else:
        assert tools.status_code in (403, 404) and token not in text(tools)

    # Feeds answer by token, without a session: the deactivated agent's token is refused.
    mine, group_feed = feed_urls(agent, group.slug)
    anonymous = Client()
    response = anonymous.get(group_feed)
    assert response.status_code == (200 if reader else 404), group_feed
    assert (token in text(response)) is reader
    response = anonymous.get(mine)
    assert response.status_code == (404 if actor == "deactivated" else 200)
    assert (token in text(response)) is (actor == "member")  # the only seat it may see

    month = timezone.localtime(event.starts_at).strftime("%Y-%m")
    for url in (
        f"/events/?month={month}",
        f"/events/?month={month}&view=list",
        "/?show=all",
        "/notifications/",
        f"/search/?q={token}",
        f"/groups/{group.slug}/",
        "/groups/",
    ):
        body = text(client.get(url))
        titles = [f"Page {token}", f"Session {token}", f"Sondage {token}"]
        if policy == "secret":  # a closed group's name is public, its tools' content not
            titles.append(f"Espace {token}")
        if not reader:  # (the search page repeats the query itself: the titles are checked)
            assert not [t for t in titles if t in body], url

    if actor == "former_member":  # notified of the seat: the notice exists, unseen by them
        assert Notification.objects.filter(recipient=agent, kind=Kind.EVENT_PROMOTED).exists()

    hits = search(agent, token).hits
    if reader:
        assert {h.kind for h in hits} >= {"wikipage"}
    else:  # a closed group is found by its own name, nothing of its tools
        assert [h for h in hits if h.kind != "group" or policy == "secret"] == []
