"""A socket's connection: the session checked after the handshake is accepted, in one
database round of a few statements (realtime.actions.connect), and what it subscribes to.

Roles: `alice` member of Budget, `bob` its animator, `carol` outside it (tests/chat).
"""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.db import connection

from intranet.asgi import application
from intranet.chat import selectors, services
from intranet.chat.models import Conversation
from intranet.chat.services import conversations as conversation_services
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from intranet.presence import events as presence_events
from intranet.presence import services as presence_services
from intranet.presence.models import Presence
from realtime import actions, sockets
from tests.realtime.conftest import expect, nothing, session_cookie


def test_connect_gives_the_agent_subscriptions_and_presence(room, budget, alice):
    key = session_cookie(alice)
    found = actions.connect(key, "chan.1")
    assert found["agent"] == alice.pk
    assert found["conversations"] == {room.pk} and found["groups"] == {budget.pk}
    assert Presence.objects.get(channel_name="chan.1").agent_id == alice.pk


@pytest.mark.parametrize("key", [None, "", "no-such-session"])
def test_connect_without_a_signed_in_session_gives_none(db, key):
    assert actions.connect(key, "chan.1") is None
    assert not Presence.objects.exists()


def test_connect_with_the_session_of_a_deactivated_agent_gives_none(alice):
    key = session_cookie(alice)
    alice.is_active = False
    alice.save()
    assert actions.connect(key, "chan.1") is None
    assert not Presence.objects.exists()


def test_connect_with_a_session_whose_password_changed_gives_none(alice):
    """The session's auth hash is checked, as for a page."""
    key = session_cookie(alice)
    alice.set_password("un autre mot de passe")
    alice.save()
    assert actions.connect(key, "chan.1") is None


def test_connect_of_a_known_agent_takes_six_statements(
    room, budget, alice, django_assert_max_num_queries
):
    """Session, user, groups, conversations, the presence row and the other sockets: the
    group's room was seen by this process, expired presence rows swept a moment ago."""
    key = session_cookie(alice)
    actions.connect(key, "chan.1")
    presence_services.presence_sweep(force=True)
    with django_assert_max_num_queries(6):
        actions.connect(key, "chan.2")


def test_connect_on_postgresql_is_three_statements(room, budget, alice, django_assert_num_queries):
    """Session, user, then one prepared statement: presence row, groups, conversations
    and the other sockets (sockets.socket_open)."""
    if connection.vendor != "postgresql":
        pytest.skip("socket_open's one statement is PostgreSQL's")
    key = session_cookie(alice)
    actions.connect(key, "chan.1")
    presence_services.presence_sweep(force=True)
    with django_assert_num_queries(3):
        found = actions.connect(key, "chan.2")
    assert found["conversations"] == {room.pk} and found["groups"] == {budget.pk}


def test_socket_open_gives_what_the_access_model_gives(room, budget, alice, bob, carol, staff):
    """Group rooms of the agent's groups, the conversations they take part in and have not
    left, nothing else: the same sets as selectors.subscription_targets (the ORM path)."""
    direct = conversation_services.conversation_direct_open(alice, other=bob)
    named = conversation_services.conversation_named_create(alice, name="Projet", agents=[carol])
    left = conversation_services.conversation_named_create(bob, name="Quitté", agents=[alice])
    conversation_services.conversation_leave(alice, left.pk)
    conversation_services.conversation_named_create(bob, name="Autre", agents=[carol])
    other_group = group_services.group_create(staff, name="Achats", policy="closed")
    conversation_services.group_rooms_ensure(staff)  # a room alice does not belong to
    for agent in (alice, bob, carol):
        expected = selectors.subscription_targets(agent)
        assert sockets.socket_open(agent, f"chan.{agent.pk}") == expected
    conversations, groups = sockets.socket_open(alice, "chan.again")
    assert conversations == {room.pk, direct.pk, named.pk} and groups == {budget.pk}
    assert other_group.pk not in groups
    assert Presence.objects.filter(agent=alice).count() == 2


def test_socket_open_announces_online_only_for_the_first_socket(
    alice, monkeypatch, django_capture_on_commit_callbacks
):
    announced = []
    monkeypatch.setattr(
        presence_events, "presence_changed", lambda pk, state: announced.append(state)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sockets.socket_open(alice, "chan.1")
        sockets.socket_open(alice, "chan.2")
    assert announced == ["online"]


def test_socket_open_refuses_an_inactive_agent(alice):
    alice.is_active = False
    with pytest.raises(PermissionDenied):
        sockets.socket_open(alice, "chan.1")
    assert not Presence.objects.exists()


def test_room_of_a_new_group_is_created_on_connect(room, budget, alice, staff):
    key = session_cookie(alice)
    actions.connect(key, "chan.1")  # Budget's room now known to this process
    other = group_services.group_create(staff, name="Achats", policy="closed")
    Membership.objects.create(group=other, agent=alice)
    Conversation.objects.filter(group=other).delete()  # a group from before rooms existed
    found = actions.connect(key, "chan.2")
    new_room = Conversation.objects.get(group=other)
    assert found["conversations"] == {room.pk, new_room.pk}


def test_a_group_seen_with_its_room_is_not_looked_up_again(
    room, budget, alice, django_assert_num_queries
):
    conversation_services.group_rooms_ensure(alice, group_ids=[budget.pk], cached=True)
    with django_assert_num_queries(0):
        conversation_services.group_rooms_ensure(alice, group_ids=[budget.pk], cached=True)


@pytest.mark.django_db(transaction=True)
async def test_unsigned_socket_is_accepted_then_closed_without_answering_frames(db):
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}=no-such-session".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    await communicator.send_json_to({"action": "counts"})
    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4401,
    }


@pytest.mark.django_db(transaction=True)
async def test_signed_out_session_is_closed_with_4401(alice):
    key = await sync_to_async(session_cookie)(alice)
    await sync_to_async(SessionStore(key).delete)()
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    assert (await communicator.connect(timeout=5))[0]
    assert await communicator.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": 4401,
    }


@pytest.mark.django_db(transaction=True)
async def test_second_tab_and_its_closing_announce_nothing_to_watchers(connect_as, alice, bob):
    watcher = await connect_as(bob)
    await watcher.send_json_to({"action": "watch", "agents": [alice.pk]})
    await expect(watcher, "presence.states")
    tab1 = await connect_as(alice)
    assert (await expect(watcher, "presence"))["state"] == "online"
    tab2 = await connect_as(alice)
    assert await nothing(watcher)
    await tab2.disconnect()
    assert await nothing(watcher)
    await tab1.disconnect()
    assert (await expect(watcher, "presence"))["state"] == "offline"
    await watcher.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_hello_comes_after_the_subscriptions_so_a_sync_misses_nothing(
    connect_as, room, alice, bob
):
    """The first live event after hello arrives on the socket: it subscribed before hello."""
    a = await connect_as(alice)
    await sync_to_async(services.message_send)(
        bob, room.pk, body="Juste après", idempotency_key="after-hello-1"
    )
    assert (await expect(a, "message.created"))["message"]["body"] == "Juste après"
    await a.disconnect()


def test_room_deleted_alone_is_created_again_on_connect(room, budget, alice):
    key = session_cookie(alice)
    actions.connect(key, "chan.1")  # Budget's room now known to this process
    room.delete()
    found = actions.connect(key, "chan.2")
    assert found["conversations"] == {Conversation.objects.get(group=budget).pk}


def test_the_asgi_application_tunes_the_garbage_collector_of_its_process():
    """A socket server's process: start-up objects frozen, collections less frequent
    (full collections paused the loop for 130-230 ms with 1,000 sockets)."""
    import subprocess
    import sys

    code = (
        "import gc, intranet.asgi as a; "
        "print(gc.get_threshold() == a.GC_THRESHOLDS, gc.get_freeze_count() > 10_000)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["True", "True"]
