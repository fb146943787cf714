"""The WebSocket consumer: authentication, actions, events, bad input, live membership."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from intranet.asgi import application
from intranet.chat import services
from intranet.groups import services as group_services
from realtime import publish
from tests.realtime.conftest import expect, nothing, open_socket, session_cookie
from tests.waiting import wait_until_async

pytestmark = pytest.mark.django_db(transaction=True)


async def test_anonymous_socket_is_closed_with_4401(db):
    communicator, connected = await open_socket(None)
    assert connected
    closed = await communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_foreign_origin_is_refused(alice):
    _communicator, connected = await open_socket(alice, origin=b"https://evil.example")
    assert not connected


@pytest.mark.parametrize(
    "origin", [b"null", b"http://localhost.evil.example", b"http://[bad", b"\xff\xfe"]
)
async def test_hostile_origins_are_refused(alice, origin):
    _communicator, connected = await open_socket(alice, origin=origin)
    assert not connected


async def test_socket_without_origin_is_refused(alice):
    key = await sync_to_async(session_cookie)(alice)
    headers = [(b"host", b"localhost"), (b"cookie", f"sessionid={key}".encode())]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _code = await communicator.connect(timeout=3)
    assert not connected


@pytest.mark.parametrize("path", ["/ws", "/ws/x/", "/autre/", "/"])
async def test_socket_elsewhere_than_ws_is_refused(alice, path):
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect(timeout=3)
    assert not connected


async def test_a_socket_keeps_no_router_frame(connect_as, alice):
    """The routing returns the consumer's coroutine: an idle socket's task runs the
    consumer itself, with no router, origin check or middleware awaiting it."""
    import asyncio

    await connect_as(alice)
    names = {task.get_coro().__qualname__ for task in asyncio.all_tasks()}
    assert "TransverseConsumer.__call__" in names
    assert not {
        n for n in names if n.startswith(("ProtocolTypeRouter", "OriginValidator", "URLRouter"))
    }


async def test_an_idle_socket_waits_on_its_two_sources_only(connect_as, alice):
    """The consumer's own task (no router task above it) and one listening task per
    source (browser, channel layer); once closed, none is left."""
    import asyncio

    per_process = {"presence-heartbeat", "outbox-relay"}  # one task each per process
    before = asyncio.all_tasks()

    def socket_tasks():
        return {t for t in asyncio.all_tasks() - before if t.get_name() not in per_process}

    a = await connect_as(alice)
    opened = await wait_until_async(
        lambda: len(socket_tasks()) >= 3 and socket_tasks(), timeout=5, what="its tasks"
    )
    names = sorted(t.get_coro().__qualname__ for t in opened)
    assert len(names) == 3 and "TransverseConsumer.__call__" in names, names
    await a.disconnect()
    await wait_until_async(
        lambda: all(t.done() for t in opened), timeout=5, what="the closed socket's tasks to end"
    )


async def test_send_is_acknowledged_and_delivered_to_members_only(
    connect_as, room, alice, bob, carol
):
    a, b, c = await connect_as(alice), await connect_as(bob), await connect_as(carol)
    await a.send_json_to(
        {
            "action": "send",
            "conversation": room.pk,
            "body": "Bonjour",
            "key": "k-1234567890",
            "ref": 7,
        }
    )
    ack = await expect(a, "ack")
    assert ack["ref"] == 7 and ack["created"] and ack["message"]["seq"] == 1
    event = await expect(b, "message.created")
    assert event["message"]["html"] == "<p>Bonjour</p>\n"
    assert await nothing(c)
    for s in (a, b, c):
        await s.disconnect()


async def test_the_sending_socket_gets_its_ack_and_its_other_tabs_the_event(
    connect_as, room, alice
):
    """The ack carries the message: the socket that sent it is not sent the event too
    (one frame less per send); the sender's other tabs are."""
    sending, other_tab = await connect_as(alice), await connect_as(alice)
    frame = {"action": "send", "conversation": room.pk, "body": "Deux onglets", "key": "tab-000001"}
    await sending.send_json_to(frame)
    ack = await expect(sending, "ack")
    event = await expect(other_tab, "message.created")
    assert event["message"] == ack["message"]
    assert await nothing(sending)
    for s in (sending, other_tab):
        await s.disconnect()


async def test_same_key_over_socket_twice_is_one_message(connect_as, room, alice):
    a = await connect_as(alice)
    frame = {"action": "send", "conversation": room.pk, "body": "x", "key": "again-000001"}
    await a.send_json_to(frame)
    first = await expect(a, "ack")
    await a.send_json_to(frame)
    second = await expect(a, "ack")
    assert first["message"]["id"] == second["message"]["id"] and not second["created"]
    await a.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_request"),
        ('{"action": "launch"}', "unknown_action"),
        (
            '{"action": "send", "conversation": 99999, "body": "a", "key": "k-123456789"}',
            "not_found",
        ),
        ('{"action": "send", "conversation": 1}', "bad_request"),
        ('{"action": "sync", "cursors": [1]}', "bad_request"),
        ('{"action": "history", "conversation": true}', "bad_request"),
        ('{"action": "watch", "agents": "all"}', "bad_request"),
    ],
)
async def test_bad_frames_get_an_error_frame_and_the_socket_lives(connect_as, alice, frame, code):
    a = await connect_as(alice)
    await a.send_to(text_data=frame)
    error = await expect(a, "error")
    assert error["code"] == code
    await a.send_json_to({"action": "counts"})
    assert (await expect(a, "counts"))["chat_unread"] == 0
    await a.disconnect()


async def test_binary_frame_gets_an_error(connect_as, alice):
    a = await connect_as(alice)
    await a.send_to(bytes_data=b"\x00\x01")
    assert (await expect(a, "error"))["code"] == "bad_request"
    await a.disconnect()


async def test_oversized_frame_closes_with_4413(connect_as, alice, settings):
    settings.TRANSVERSE_WS_MAX_FRAME_BYTES = 2048
    a = await connect_as(alice)
    await a.send_to(text_data=json.dumps({"action": "send", "body": "x" * 5000}))
    assert (await expect(a, "error"))["code"] == "too_large"
    assert await a.receive_output(timeout=3) == {"type": "websocket.close", "code": 4413}


async def test_frame_rate_limit_gives_error_frames(connect_as, alice, settings):
    settings.TRANSVERSE_WS_RATE, settings.TRANSVERSE_WS_BURST = 1, 3
    a = await connect_as(alice)
    for _ in range(5):
        await a.send_json_to({"action": "ping_unknown"})
    codes = [(await a.receive_json_from(timeout=3))["code"] for _ in range(5)]
    assert codes.count("rate_limited") >= 2
    await a.disconnect()


# Permission matrix: every action on a conversation the agent may not read answers
# not_found, exactly like a missing conversation, and nothing reaches the members.
ACTIONS = {
    "send": lambda conv, msg: {"conversation": conv, "body": "intrus", "key": "intrus-00001"},
    "edit": lambda conv, msg: {"message": msg, "body": "intrus"},
    "delete": lambda conv, msg: {"message": msg},
    "react": lambda conv, msg: {"message": msg, "reaction": "like"},
    "history": lambda conv, msg: {"conversation": conv},
    "read": lambda conv, msg: {"conversation": conv, "seq": 1},
    "typing": lambda conv, msg: {"conversation": conv},
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_outsider_gets_not_found_for_every_action(connect_as, room, alice, carol, action):
    message, _ = await sync_to_async(services.message_send)(
        alice, room.pk, body="privé", idempotency_key="prive-000001"
    )
    a, c = await connect_as(alice), await connect_as(carol)
    await c.send_json_to({"action": action, **ACTIONS[action](room.pk, message.pk)})
    assert (await expect(c, "error"))["code"] == "not_found"
    assert await nothing(a)
    await a.disconnect()
    await c.disconnect()


@pytest.mark.parametrize("action", ["edit", "delete"])
async def test_member_cannot_change_anothers_message(connect_as, room, alice, carol, action):
    member = await sync_to_async(
        lambda: room.group.memberships.exclude(agent=alice).first().agent
    )()
    message, _ = await sync_to_async(services.message_send)(
        alice, room.pk, body="à moi", idempotency_key="amoi-0000001"
    )
    socket = await connect_as(member if action == "edit" else carol)
    await socket.send_json_to({"action": action, **ACTIONS[action](room.pk, message.pk)})
    assert (await expect(socket, "error"))["code"] in {"forbidden", "not_found"}
    await socket.disconnect()


async def test_joining_a_group_opens_its_room_live(connect_as, room, budget, carol, staff):
    c = await connect_as(carol)
    await sync_to_async(group_services.group_invite)(staff, budget, agents=[carol])
    invitation = await sync_to_async(lambda: carol.group_invitations.get())()
    await sync_to_async(group_services.invitation_answer)(carol, invitation, accept=True)
    assert (await expect(c, "conversation.added"))["conversation"] == room.pk
    await c.disconnect()


async def test_removed_member_stops_receiving_at_once(connect_as, room, budget, alice, bob):
    a, b = await connect_as(alice), await connect_as(bob)
    await sync_to_async(group_services.group_member_remove)(bob, budget, alice)
    removed = await expect(a, "conversation.removed")
    assert removed["conversation"] == room.pk
    await b.send_json_to(
        {"action": "send", "conversation": room.pk, "body": "après", "key": "apres-000001"}
    )
    await expect(b, "ack")
    assert await nothing(a, 0.5)
    await a.disconnect()
    await b.disconnect()


async def test_event_is_dropped_for_agents_outside_its_audience(connect_as, room, alice, bob):
    a, b = await connect_as(alice), await connect_as(bob)
    event = {"type": "message.created", "message": {"conversation": room.pk, "id": 1}}
    await sync_to_async(publish.publish_to_conversation)(room.pk, event, audience=[bob.pk])
    assert (await expect(b, "message.created"))["message"]["id"] == 1
    assert await nothing(a)
    await a.disconnect()
    await b.disconnect()


async def test_agent_disconnect_closes_every_socket(connect_as, alice):
    one, two = await connect_as(alice), await connect_as(alice)
    await sync_to_async(publish.agent_disconnect)(alice.pk)
    for socket in (one, two):
        assert await socket.receive_output(timeout=3) == {"type": "websocket.close", "code": 4403}


async def test_replay_after_a_forced_disconnect(connect_as, room, alice, bob):
    a = await connect_as(alice)
    await a.send_json_to({"action": "sync", "cursors": {str(room.pk): 0}})
    replay = await expect(a, "replay")
    cursor = replay["cursor"]
    await a.disconnect()
    for n in range(3):
        await sync_to_async(services.message_send)(
            bob, room.pk, body=f"manqué {n}", idempotency_key=f"missed-{n:05d}"
        )
    a = await connect_as(alice)
    await a.send_json_to({"action": "sync", "cursors": {str(room.pk): cursor}})
    replay = await expect(a, "replay")
    assert [m["body"] for m in replay["messages"]] == ["manqué 0", "manqué 1", "manqué 2"]
    assert replay["cursor"] == cursor + 3
    done = await expect(a, "sync.done")
    assert done["chat_unread"] == 0  # a room never opened counts as read
    await a.disconnect()


async def test_sync_of_a_forbidden_conversation_says_removed(connect_as, room, carol):
    c = await connect_as(carol)
    await c.send_json_to({"action": "sync", "cursors": {str(room.pk): 0}})
    assert (await expect(c, "conversation.removed"))["conversation"] == str(room.pk)
    await c.disconnect()


async def test_typing_reaches_other_members(connect_as, room, alice, bob):
    a, b = await connect_as(alice), await connect_as(bob)
    await a.send_json_to({"action": "typing", "conversation": room.pk})
    typing = await expect(b, "typing")
    assert typing["agent"]["name"] == "Alice Lefèvre"
    await a.disconnect()
    await b.disconnect()


async def test_presence_across_two_tabs(connect_as, alice, bob):
    watcher = await connect_as(bob)
    await watcher.send_json_to({"action": "watch", "agents": [alice.pk]})
    assert (await expect(watcher, "presence.states"))["states"] == {str(alice.pk): "offline"}
    tab1 = await connect_as(alice)
    assert (await expect(watcher, "presence"))["state"] == "online"
    tab2 = await connect_as(alice)
    await tab1.send_json_to({"action": "presence", "away": True})
    await expect(tab1, "ack")
    assert await nothing(watcher)  # the other tab is still active
    await tab2.send_json_to({"action": "presence", "away": True})
    assert (await expect(watcher, "presence"))["state"] == "away"
    await tab1.disconnect()
    await tab2.disconnect()
    assert (await expect(watcher, "presence"))["state"] == "offline"
    await watcher.disconnect()


async def test_ping_reports_the_channel_layer_live(connect_as, alice):
    a = await connect_as(alice)
    await a.send_json_to({"action": "ping"})
    assert (await expect(a, "pong"))["live"] is True
    await a.disconnect()


async def test_a_new_notification_pushes_the_counts(connect_as, room, alice, bob):
    b = await connect_as(bob)
    await sync_to_async(services.message_send)(
        alice, room.pk, body="Une question pour @bob", idempotency_key="mention-0001"
    )
    counts = await expect(b, "counts", timeout=5)
    assert counts["notifications_unread"] == 1
    await b.disconnect()


async def test_group_post_announces_its_id_to_members_only(connect_as, budget, alice, bob, carol):
    from intranet.stream.services import posts

    b, c = await connect_as(bob), await connect_as(carol)
    post = await sync_to_async(posts.post_create)(
        alice, body="Nouvelle note", visibility="group", group=budget
    )
    event = await expect(b, "post.created")
    assert event == {"type": "post.created", "post": post.pk, "group": budget.pk}
    assert await nothing(c)
    await b.disconnect()
    await c.disconnect()


async def test_malformed_cookie_header_is_an_anonymous_socket(db):
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", b'sessionid="\\x00;;=;\xff'),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    closed = await communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_session_of_a_deactivated_agent_is_refused(alice):
    cookie = await sync_to_async(session_cookie)(alice)
    await sync_to_async(type(alice).objects.filter(pk=alice.pk).update)(is_active=False)
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    closed = await communicator.receive_output(timeout=3)
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_message_times_reach_each_socket_in_its_agents_zone(connect_as, room, alice, bob):
    """alice (Cayenne) sends; bob (Nouméa) receives: each sees the time in their own zone
    (the payload is built once, in the site's zone, Paris)."""
    from intranet.accounts.models import User

    await sync_to_async(User.objects.filter(pk=alice.pk).update)(time_zone="America/Cayenne")
    await sync_to_async(User.objects.filter(pk=bob.pk).update)(time_zone="Pacific/Noumea")
    a, b = await connect_as(alice), await connect_as(bob)
    frame = {"action": "send", "conversation": room.pk, "body": "Heure", "key": "tz-000000001"}
    await a.send_json_to(frame)
    ack = await expect(a, "ack")
    event = await expect(b, "message.created")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime.fromisoformat(event["message"]["created_at"])
    assert event["message"]["time"] == at.astimezone(ZoneInfo("Pacific/Noumea")).strftime("%H:%M")
    cayenne = at.astimezone(ZoneInfo("America/Cayenne"))
    assert ack["message"]["time"] == cayenne.strftime("%H:%M")
    assert ack["message"]["day"] == cayenne.date().isoformat()
    for s in (a, b):
        await s.disconnect()
