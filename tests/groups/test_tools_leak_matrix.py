"""The access matrix over the group tools' surfaces that test_tools_access_matrix does not
reach: learning paths (their pages, an agent's progress on the profile, a path of another
group pointing at a secret group's items), the satisfaction survey (answer page, results,
programme, CSV), the WebSocket (nothing of a secret group's wiki, sessions, polls or paths
reaches an outsider's socket) and the reminder e-mail (an agent removed from the group
before the reminder gets none).

A unique token sits in every title; not visible means 404 and the token in nothing the
actor can load.
"""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.core import mail
from django.test import Client
from django.utils import timezone

from intranet.events import services as event_services
from intranet.events.models import Event
from intranet.events.tasks import run_sessions_ended, send_reminders
from intranet.groups import services as group_services
from intranet.notifications.models import Kind, Notification
from intranet.notifications.selectors import visible_notifications
from intranet.notifications.tasks import send_notification_email
from intranet.paths import services as path_services
from intranet.paths.models import Step
from intranet.polls import services as poll_services
from intranet.wiki import services as wiki_services
from tests.factories import UserFactory
from tests.realtime.conftest import nothing, open_socket

ACTORS = ["outsider", "former_member", "deactivated", "member", "animator", "staff"]
READERS = {"member", "animator", "staff"}
MANAGERS = {"animator", "staff"}
TOOLS = ["wiki", "events", "polls", "paths"]


@pytest.fixture
def people(db):
    owner = UserFactory(username="space-owner")
    agents = {name: UserFactory(username=name) for name in ACTORS if name != "staff"}
    agents["staff"] = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    return owner, agents


def build(people, policy: str):
    """A group with every tool on, a path over its page, session and poll, a session that
    ended with the member present and her survey answered, and the former member out."""
    owner, agents = people
    token = f"zqy{policy}tok"
    group = group_services.group_create(owner, name=f"Espace {token}", policy=policy)
    group_services.group_tools_set(owner, group, keys=TOOLS)
    for name in ("member", "animator", "former_member", "deactivated"):
        group_services._add_member(group, agents[name])
    group_services.group_member_role_set(owner, group, agents["animator"], role="animator")
    page = wiki_services.page_create(owner, group, title=f"Page {token}", body="Texte")
    event = event_services.event_create(
        owner,
        group,
        title=f"Session {token}",
        starts_at=timezone.now() + timedelta(days=1),
        duration_minutes=60,
    )
    poll = poll_services.poll_create(
        owner,
        group,
        question=f"Sondage {token} ?",
        choices=["Oui", "Non"],
        closes_at=timezone.now() + timedelta(days=3),
    )
    path = path_services.path_create(owner, group, title=f"Parcours {token}")
    for kind, target in ((Step.Kind.WIKI, page), (Step.Kind.EVENT, event), (Step.Kind.POLL, poll)):
        path_services.step_add(owner, path, kind=kind, target_id=target.pk)
    path_services.cohort_create(
        owner, path, name=f"Cohorte {token}", starts_on=timezone.localdate(), members=[]
    )
    for name in ("member", "former_member"):
        event_services.event_register(agents[name], event)
    event_services.attendance_set(owner, event, [str(agents["member"].pk)])
    ended = timezone.now() - timedelta(hours=2)
    Event.objects.filter(pk=event.pk).update(starts_at=ended, ends_at=ended + timedelta(hours=1))
    run_sessions_ended()
    event.refresh_from_db()
    event_services.survey_answer(
        agents["member"],
        event.survey,
        satisfaction=4,
        usefulness=4,
        pace="right",
        recommend=True,
        comment=f"Avis {token}",
    )
    path_services.progress_set(agents["member"], path.steps.first(), done=True)
    group_services.group_leave(agents["former_member"], group)
    agents["deactivated"].is_active = False
    agents["deactivated"].save()
    return group, path, event, token


def text(response) -> str:
    return response.content.decode(errors="replace") if response.status_code == 200 else ""


def refused(actor: str, response) -> bool:
    """404 like a missing object; a deactivated agent is signed out (a redirect)."""
    allowed = (302, 404) if actor == "deactivated" else (404,)
    return response.status_code in allowed


@pytest.mark.parametrize("policy", ["secret", "closed"])
@pytest.mark.parametrize("actor", ACTORS)
def test_paths_and_survey_matrix(people, policy, actor):
    group, path, event, token = build(people, policy)
    agent = people[1][actor]
    client = Client()
    client.force_login(agent)
    base = f"/groups/{group.slug}/paths/"
    step = path.steps.first()
    reading = [base, f"{base}{path.pk}/"]
    managing = [
        f"{base}{path.pk}/edit/",
        f"{base}{path.pk}/progress/",
        f"{base}{path.pk}/steps/new/",
        f"{base}{path.pk}/steps/{step.pk}/edit/",
        f"{base}{path.pk}/cohorts/",
        f"/groups/{group.slug}/events/{event.pk}/survey/results/",
        f"/groups/{group.slug}/events/{event.pk}/survey/results.csv",
        f"/groups/{group.slug}/events/surveys/",
        f"/groups/{group.slug}/events/surveys.csv",
    ]
    for url in reading:
        response = client.get(url)
        if actor in READERS:
            assert response.status_code == 200 and token in text(response), url
        else:
            assert refused(actor, response), (url, response.status_code)
    for url in managing:
        response = client.get(url)
        if actor in MANAGERS:
            assert response.status_code == 200 and token in text(response), url
        elif actor == "member":
            assert response.status_code in (403, 404) and token not in text(response), url
        else:
            assert refused(actor, response), (url, response.status_code)
    if actor in MANAGERS:  # the comment reaches the animators' results, and only them
        results = f"/groups/{group.slug}/events/{event.pk}/survey/results/"
        assert f"Avis {token}" in text(client.get(results))

    # The survey's own page: the present member only (she answered: no second form).
    survey = client.get(f"/groups/{group.slug}/events/{event.pk}/survey/")
    if actor == "member":
        assert survey.status_code == 200
    elif actor in READERS:  # not an attendee: never a form
        assert survey.status_code in (403, 404) or "survey-form" not in text(survey)
    else:
        assert refused(actor, survey), survey.status_code
    posted = client.post(
        f"/groups/{group.slug}/events/{event.pk}/survey/",
        {"satisfaction": 1, "usefulness": 1, "pace": "right", "recommend": "no"},
    )
    if actor not in READERS:
        assert refused(actor, posted), posted.status_code
    assert event.survey.answers.count() == 1

    # Ticking a step, or changing the path, from outside: refused and nothing written.
    tick = client.post(f"{base}{path.pk}/steps/{step.pk}/progress", {"done": "1"})
    if actor not in READERS:
        assert refused(actor, tick), tick.status_code
        assert not step.progress.filter(agent=agent).exists()
    if actor not in MANAGERS:
        client.post(f"{base}{path.pk}/steps/{step.pk}/remove")
        assert path.steps.count() == 3


def test_progress_shows_only_on_the_agents_own_profile(people):
    _group, _path, _event, token = build(people, "closed")
    member, animator = people[1]["member"], people[1]["animator"]
    own, other = Client(), Client()
    own.force_login(member)
    other.force_login(animator)
    assert f"Parcours {token}" in text(own.get(f"/people/{member.username}/"))
    response = other.get(f"/people/{member.username}/")
    assert response.status_code == 200 and token not in text(response)


def test_a_path_never_shows_a_secret_groups_items(people):
    """An animator of both groups cannot point a step of an open group's path at a secret
    group's page, session or poll; a step row forced through the ORM shows to the open
    group's members as unavailable, its title never read."""
    group, _path, event, token = build(people, "secret")
    owner, agents = people
    open_group = group_services.group_create(owner, name="Ouvert à tous", policy="open")
    group_services.group_tools_set(owner, open_group, keys=TOOLS)
    group_services._add_member(open_group, agents["outsider"])
    path = path_services.path_create(owner, open_group, title="Parcours ouvert")
    page = group.wiki_pages.get()
    poll = group.polls.get()
    from django.core.exceptions import ValidationError

    targets = ((Step.Kind.WIKI, page), (Step.Kind.EVENT, event), (Step.Kind.POLL, poll))
    for position, (kind, target) in enumerate(targets, start=100):
        with pytest.raises(ValidationError):
            path_services.step_add(owner, path, kind=kind, target_id=target.pk)
        Step.objects.create(path=path, position=position, kind=kind, target_id=target.pk)
    client = Client()
    client.force_login(agents["outsider"])
    for url in (f"/groups/{open_group.slug}/paths/{path.pk}/", f"/groups/{open_group.slug}/"):
        response = client.get(url)
        assert response.status_code == 200 and token not in text(response), url
    client.force_login(owner)  # the owner may see the secret group: still not from here
    response = client.get(f"/groups/{open_group.slug}/paths/{path.pk}/")
    assert token not in text(response)


def test_reminder_skips_an_agent_removed_from_the_group(people, settings):
    """Registered, then removed from the group before the day-before reminder: no
    notification and no e-mail; the member still registered gets both."""
    owner, agents = people
    token = "zqyremindtok"
    group = group_services.group_create(owner, name=f"Espace {token}", policy="secret")
    group_services.group_tools_set(owner, group, keys=["events"])
    member, removed = agents["member"], agents["former_member"]
    for agent in (member, removed):
        group_services._add_member(group, agent)
    event = event_services.event_create(
        owner,
        group,
        title=f"Session {token}",
        starts_at=timezone.now() + timedelta(hours=20),
        duration_minutes=60,
    )
    for agent in (member, removed):
        event_services.event_register(agent, event)
    group_services.group_member_remove(owner, group, removed)
    mail.outbox.clear()
    send_reminders()
    for note in Notification.objects.filter(kind=Kind.EVENT_REMINDER):  # the e-mail job
        send_notification_email.call(note.pk)
    assert visible_notifications(member).filter(kind=Kind.EVENT_REMINDER).exists()
    assert [m for m in mail.outbox if member.email in m.to and token in m.subject + m.body]
    # No row is written for the removed agent (events.access.event_audience); the
    # notifications would re-check their target anyway when read, e-mailed and counted.
    assert not Notification.objects.filter(recipient=removed, kind=Kind.EVENT_REMINDER).exists()
    assert not visible_notifications(removed).filter(kind=Kind.EVENT_REMINDER).exists()
    assert [m for m in mail.outbox if removed.email in m.to] == []
    client = Client()
    client.force_login(removed)
    assert token not in text(client.get("/notifications/"))


@pytest.mark.django_db(transaction=True)
async def test_secret_tools_never_reach_an_outsiders_socket(people):
    """The member's socket hears of the new page, session, poll and path (so the test can
    see a frame); the outsider's socket receives nothing at all."""
    owner, agents = people
    token = "zqysockettok"
    outsider_socket, ok = await open_socket(agents["outsider"])
    member_socket, ok2 = await open_socket(agents["member"])
    assert ok and ok2
    await outsider_socket.receive_json_from(timeout=5)  # hello
    await member_socket.receive_json_from(timeout=5)

    def act():
        group = group_services.group_create(owner, name=f"Espace {token}", policy="secret")
        group_services.group_tools_set(owner, group, keys=TOOLS)
        group_services._add_member(group, agents["member"])
        wiki_services.page_create(owner, group, title=f"Page {token}", body="Texte")
        event = event_services.event_create(
            owner,
            group,
            title=f"Session {token}",
            starts_at=timezone.now() + timedelta(hours=20),
            duration_minutes=60,
            capacity=1,
        )
        owner_seat = event_services.event_register(owner, event)
        event_services.event_register(agents["member"], event)
        event_services.event_cancel(owner, event)  # promotes (and notifies) the member
        poll_services.poll_create(
            owner,
            group,
            question=f"Sondage {token} ?",
            choices=["Oui", "Non"],
            closes_at=timezone.now() + timedelta(days=3),
        )
        path_services.path_create(owner, group, title=f"Parcours {token}")
        send_reminders()
        return owner_seat

    await sync_to_async(act)()
    heard = []
    while not await member_socket.receive_nothing(timeout=1):
        heard.append(await member_socket.receive_json_from(timeout=1))
    # The member hears the group's room and the notifications' counts (promotion,
    # reminder): what would reach the outsider if the audience were wrong.
    assert {"conversation.added", "counts"} <= {frame["type"] for frame in heard}
    assert max(f.get("notifications_unread", 0) for f in heard) >= 2
    assert await nothing(outsider_socket, 1.0)
    await outsider_socket.disconnect()
    await member_socket.disconnect()
