"""The socket and chat figures of /metrics move with real sockets (intranet.core.metrics).

Roles: `alice` member of Budget, `bob` its animator, `carol` outside it (tests/chat).
"""

import os

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from intranet.chat import services
from tests.core.metrics_text import scraped, value
from tests.realtime.conftest import expect

pytestmark = pytest.mark.django_db(transaction=True)


def scrape():
    return scraped(Client())


async def test_open_sockets_of_this_process_are_counted(connect_as, alice, bob):
    me = str(os.getpid())
    before = value(await sync_to_async(scrape)(), "transverse_websockets_open", pid=me)
    a, b = await connect_as(alice), await connect_as(bob)
    during = value(await sync_to_async(scrape)(), "transverse_websockets_open", pid=me)
    assert during == before + 2
    await a.disconnect()
    await b.disconnect()
    after = value(await sync_to_async(scrape)(), "transverse_websockets_open", pid=me)
    assert after == before


async def test_a_send_its_delivery_and_a_replay_are_counted(connect_as, room, alice, bob):
    before = await sync_to_async(scrape)()
    a, b = await connect_as(alice), await connect_as(bob)
    await a.send_json_to(
        {"action": "send", "conversation": room.pk, "body": "Compté", "key": "metric-0001"}
    )
    await expect(a, "ack")
    await expect(b, "message.created")
    # The same key again is a retry: nothing new is stored, nothing counted.
    await a.send_json_to(
        {"action": "send", "conversation": room.pk, "body": "Compté", "key": "metric-0001"}
    )
    await expect(a, "ack")
    await sync_to_async(services.message_send)(
        bob, room.pk, body="Par la page", idempotency_key="metric-0002"
    )
    await expect(a, "message.created")
    await a.send_json_to({"action": "sync", "cursors": {str(room.pk): 0}})
    replay = await expect(a, "replay")
    after = await sync_to_async(scrape)()
    for s in (a, b):
        await s.disconnect()

    def moved(name):
        return value(after, name) - value(before, name)

    assert moved("transverse_chat_messages_sent_total") == 2
    # Alice's send reaches bob's socket (hers has the ack); bob's, sent from a page,
    # reaches both sockets.
    assert moved("transverse_chat_deliveries_total") == 3
    assert moved("transverse_chat_replays_total") == 1
    assert moved("transverse_chat_replayed_messages_total") == len(replay["messages"]) == 2


async def test_a_refused_socket_is_not_counted_open(db):
    from tests.realtime.conftest import open_socket

    me = str(os.getpid())
    before = value(await sync_to_async(scrape)(), "transverse_websockets_open", pid=me)
    communicator, _connected = await open_socket(None)
    await communicator.receive_output(timeout=3)  # closed: not signed in
    assert value(await sync_to_async(scrape)(), "transverse_websockets_open", pid=me) == before
