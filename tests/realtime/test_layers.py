"""realtime.layers: channels_redis's pub/sub layer with batched subscriptions, against a
redis-server of our own (bench.realtime.cluster.Redis). Commands are counted with Redis's
own statistics (INFO commandstats)."""

import asyncio
import json
import tempfile
from pathlib import Path

import pytest
import redis

from realtime.layers import RedisPubSubChannelLayer
from tests.services import require_executable
from tests.waiting import wait_until_async

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def redis_url():
    require_executable("redis-server", "apt-get install redis-server")
    from bench.realtime.cluster import Redis

    server = Redis(Path(tempfile.mkdtemp(prefix="transverse-layer-")))
    server.start()
    yield server.url
    server.stop()


def calls(url: str, command: str) -> int:
    stats = redis.Redis.from_url(url).info("commandstats")
    return stats.get(f"cmdstat_{command}", {}).get("calls", 0)


async def receive(layer, channel, timeout=2.0):
    return await asyncio.wait_for(layer.receive(channel), timeout)


async def test_sockets_joining_at_once_share_subscribe_commands(redis_url):
    layer = RedisPubSubChannelLayer(hosts=[redis_url])
    channels = await asyncio.gather(*(layer.new_channel() for _ in range(50)))
    before = calls(redis_url, "subscribe")
    await asyncio.gather(
        *(layer.group_add(f"agent.{n}", channel) for n, channel in enumerate(channels)),
        *(layer.group_add("feed.organisation", channel) for channel in channels),
    )
    assert calls(redis_url, "subscribe") - before <= 3  # 51 channels, was 51 commands
    await layer.group_send("agent.7", {"type": "relay", "n": 7})
    await layer.group_send("feed.organisation", {"type": "relay", "n": 0})
    assert (await receive(layer, channels[7]))["n"] == 7
    for channel in channels:
        assert (await receive(layer, channel))["n"] == 0
    await layer.flush()


async def test_a_group_already_subscribed_costs_no_command(redis_url):
    layer = RedisPubSubChannelLayer(hosts=[redis_url])
    one, two = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("conv.1", one)
    before = calls(redis_url, "subscribe")
    await layer.group_add("conv.1", two)
    assert calls(redis_url, "subscribe") == before
    await layer.group_send("conv.1", {"type": "relay"})
    assert await receive(layer, one) == await receive(layer, two) == {"type": "relay"}
    await layer.flush()


async def test_leaving_and_joining_again_at_once_keeps_the_subscription(redis_url):
    """Order is kept: the last socket leaves, a new one joins before the UNSUBSCRIBE is
    done; the group is subscribed again after it."""
    layer = RedisPubSubChannelLayer(hosts=[redis_url])
    old, new = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("presence.5", old)
    await asyncio.gather(layer.group_discard("presence.5", old), layer.group_add("presence.5", new))
    await layer.group_send("presence.5", {"type": "relay", "state": "online"})
    assert (await receive(layer, new))["state"] == "online"
    await layer.flush()


async def test_left_group_is_unsubscribed(redis_url):
    layer = RedisPubSubChannelLayer(hosts=[redis_url])
    channel = await layer.new_channel()
    await layer.group_add("group.9", channel)
    before = calls(redis_url, "unsubscribe")
    await layer.group_discard("group.9", channel)
    assert calls(redis_url, "unsubscribe") == before + 1
    await layer.group_send("group.9", {"type": "relay"})
    with pytest.raises(TimeoutError):
        await receive(layer, channel, timeout=0.3)
    await layer.flush()


def queued(layer, channel) -> int:
    """How many messages wait, undecoded, in the socket's queue of this loop's layer."""
    return layer._layers[asyncio.get_running_loop()].channels[channel].qsize()


async def group_counting_decodings(redis_url, group: str, sockets: int):
    """A layer, `sockets` channels in `group`, and the list of raw messages it decodes."""
    layer = RedisPubSubChannelLayer(hosts=[redis_url])
    channels = [await layer.new_channel() for _ in range(sockets)]
    for channel in channels:
        await layer.group_add(group, channel)
    decoded = []
    serializer_deserialize = layer._serializer.deserialize
    layer._serializer.deserialize = lambda raw: decoded.append(raw) or serializer_deserialize(raw)
    return layer, channels, decoded


async def test_a_group_message_is_decoded_once_for_all_local_sockets(redis_url):
    """The sockets of one group get the same dict, decoded once; the next message is
    decoded again (nothing stale is handed out)."""
    layer, channels, decoded = await group_counting_decodings(redis_url, "conv.9", 20)
    for n in (1, 2):
        await layer.group_send("conv.9", {"type": "relay", "event": {"n": n}})
        got = [await receive(layer, channel) for channel in channels]
        assert all(message["event"] == {"n": n} for message in got)
        assert all(message is got[0] for message in got)
    assert len(decoded) == 2  # was one decoding per socket and message: 40
    await layer.flush()


async def test_messages_read_in_turns_are_still_decoded_once(redis_url):
    """Sockets that take several queued messages in a row (the consumer's drain) still
    share one decoding per message."""
    layer, channels, decoded = await group_counting_decodings(redis_url, "conv.10", 5)
    for n in range(4):
        await layer.group_send("conv.10", {"type": "relay", "event": {"n": n}})
    await wait_until_async(
        lambda: all(queued(layer, channel) == 4 for channel in channels),
        timeout=5,
        what="the four messages in every socket's queue",
    )
    for channel in channels:  # each socket takes its four, one socket after the other
        got = [(await receive(layer, channel))["event"]["n"] for _ in range(4)]
        assert got == [0, 1, 2, 3]
    assert len(decoded) == 4  # not 20
    await layer.flush()


async def test_a_storm_of_publishes_is_pipelined_in_order(redis_url):
    """A restarted server announces thousands of presences at once: they go out in a few
    pipelines on one connection, in order (each on a connection of its own, redis-py's
    pool refused past 100 connections)."""
    layer = RedisPubSubChannelLayer(hosts=[redis_url])
    channel = await layer.new_channel()
    await layer.group_add("presence.1", channel)
    clients_before = redis.Redis.from_url(redis_url).info("clients")["connected_clients"]
    before = calls(redis_url, "publish")
    await asyncio.gather(
        *(layer.group_send("presence.1", {"type": "relay", "n": n}) for n in range(600))
    )
    assert calls(redis_url, "publish") - before == 600
    clients = redis.Redis.from_url(redis_url).info("clients")["connected_clients"]
    assert clients - clients_before <= 2
    assert [(await receive(layer, channel))["n"] for _ in range(600)] == list(range(600))
    await layer.flush()


async def test_receive_nowait_takes_what_is_queued_in_order(redis_url):
    """What a consumer drains under load: the messages already there, in order, then None
    (no wait); receive() goes on from where it stopped."""
    layer = RedisPubSubChannelLayer(hosts=[redis_url])
    channel = await layer.new_channel()
    assert layer.receive_nowait(channel) is None  # nothing yet, and no wait
    await layer.group_add("conv.3", channel)
    for n in range(5):
        await layer.group_send("conv.3", {"type": "relay", "n": n})
    assert (await receive(layer, channel))["n"] == 0
    await wait_until_async(
        lambda: queued(layer, channel) == 4, timeout=5, what="the other four in the queue"
    )
    drained = []
    while (message := layer.receive_nowait(channel)) is not None:
        drained.append(message["n"])
    assert drained == [1, 2, 3, 4]
    await layer.group_send("conv.3", {"type": "relay", "n": 5})
    assert (await receive(layer, channel))["n"] == 5
    await layer.flush()


@pytest.mark.django_db(transaction=True)
async def test_a_burst_reaches_a_socket_in_order_through_the_consumer(redis_url, settings):
    """A consumer on the Redis layer drains its backlog (TransverseConsumer._drain): a
    burst of events arrives whole and in order, and the browser's frames still get
    answered in between."""
    from channels.layers import channel_layers
    from channels.testing import ApplicationCommunicator

    from realtime.actions import socket_zone
    from realtime.consumers import TransverseConsumer

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.layers.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }
    channel_layers.backends.clear()
    layer = channel_layers["default"]
    consumer = TransverseConsumer()
    scope = {"type": "websocket", "path": "/ws/", "headers": [], "session_key": None}
    communicator = ApplicationCommunicator(consumer, scope)
    try:
        await communicator.send_input({"type": "websocket.connect"})
        for _ in range(50):
            if getattr(consumer, "channel_name", None):
                break
            await asyncio.sleep(0.01)
        # The socket is not signed in, so its connect closes it: relay to it directly.
        consumer.agent_id, consumer.conversations = 1, {7}
        consumer.zone = socket_zone(None)  # what connect sets for a signed-in agent
        sent = [
            {"type": "message.created", "message": {"conversation": 7, "n": n}} for n in range(200)
        ]
        await layer.group_add("conv.7", consumer.channel_name)
        await asyncio.gather(
            *(layer.group_send("conv.7", {"type": "relay", "event": e}) for e in sent)
        )
        got = []
        while len(got) < 200:
            frame = await communicator.receive_output(timeout=5)
            if frame["type"] == "websocket.send":
                got.append(json.loads(frame["text"])["message"]["n"])
        assert got == list(range(200))
    finally:
        del consumer.agent_id  # nothing of a signed-in socket to clean up
        await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await communicator.wait(timeout=5)
        await layer.flush()
        channel_layers.backends.clear()
