"""Two real daphne processes sharing PostgreSQL and a Redis of our own.

A message sent through one process reaches sockets of the other; with Redis stopped during
traffic, sends are still stored (and say live=false) and sockets stay open; when Redis is
back, live delivery resumes and a replay brings back everything missed.
"""

import asyncio

import pytest

from tests.services import missing_service, require_executable, tcp_open
from tests.waiting import wait_until

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def two_servers():
    require_executable("redis-server", "apt-get install redis-server")
    if not tcp_open("127.0.0.1", 5432):
        missing_service("PostgreSQL is not listening on 127.0.0.1:5432")
    from bench.realtime.cluster import cluster

    with cluster(agents=3, rooms=[3], servers=2) as running:
        yield running


def clients(running):
    from bench.realtime.client import Client

    one, two = running["servers"]
    (a_id, a_key), (b_id, b_key), (c_id, c_key) = running["agents"][:3]
    return Client(one, a_key, a_id), Client(two, b_key, b_id), Client(two, c_key, c_id)


def send_frame(room, key, body="Bonjour"):
    return {"action": "send", "conversation": room, "body": body, "key": key}


async def _cross_process(running):
    room = running["rooms"][3]
    a, b, c = clients(running)
    for client in (a, b, c):
        assert (await client.open())["live"] is True
    await a.send(send_frame(room, "cross-00001", "d'un processus à l'autre"))
    ack = await a.expect("ack")
    assert ack["live"] is True
    for other in (b, c):
        event = await other.expect("message.created", timeout=5)
        assert event["message"]["id"] == ack["message"]["id"]
    for client in (a, b, c):
        await client.close()


def test_message_sent_through_one_process_reaches_the_other(two_servers):
    asyncio.run(_cross_process(two_servers))


async def _redis_outage(running):
    room = running["rooms"][3]
    redis = running["redis"]
    a, b, _ = clients(running)
    await a.open()
    await b.open()
    await b.send({"action": "sync", "cursors": {str(room): 0}})
    cursor = (await b.expect("replay"))["cursor"]

    redis.stop()
    stored = []
    for n in range(5):
        await a.send(send_frame(room, f"outage-{n:05d}", f"pendant la panne {n}"))
        ack = await a.expect("ack", timeout=10)
        assert ack["live"] is False  # stored, and the client is told live updates paused
        stored.append(ack["message"]["id"])
    await b.send({"action": "ping"})
    assert (await b.expect("pong", timeout=10))["live"] is False

    redis.start()
    for _ in range(40):  # the layer reconnects by itself
        await b.send({"action": "ping"})
        if (await b.expect("pong", timeout=10))["live"]:
            break
        await asyncio.sleep(0.25)
    else:
        pytest.fail("live updates did not resume after Redis came back")
    await b.send({"action": "sync", "cursors": {str(room): cursor}})
    replay = await b.expect("replay")
    assert [m["id"] for m in replay["messages"]] == stored

    # Live delivery across processes works again, without restarting daphne.
    for _ in range(40):
        await a.send({"action": "ping"})
        if (await a.expect("pong", timeout=10))["live"]:
            break
        await asyncio.sleep(0.25)
    await a.send(send_frame(room, "after-000001", "après la panne"))
    ack = await a.expect("ack")
    event = await b.expect("message.created", timeout=10)
    assert event["message"]["id"] == ack["message"]["id"]
    await a.close()
    await b.close()
    # The outage is in a's server's log once, then once more when it ends, not as a
    # traceback per failed publish or subscription.
    log = (running["folder"] / "daphne0.log").read_text()
    assert log.count("channel layer unreachable") == 1, log[-3000:]
    assert log.count("channel layer is back after") == 1, log[-3000:]
    assert "Unexpected exception in receive task" not in log  # channels_redis's, each second


def test_redis_stopped_and_restarted_during_traffic(two_servers):
    asyncio.run(_redis_outage(two_servers))


async def _parallel_retries(running):
    """The same key sent at once over both processes: one message, same id everywhere."""
    from bench.realtime.client import Client

    room = running["rooms"][3]
    agent_id, key = running["agents"][0]
    sockets = [Client(server, key, agent_id) for server in running["servers"] for _ in range(3)]
    for socket in sockets:
        await socket.open()
    await asyncio.gather(*(s.send(send_frame(room, "same-key-0001", "une fois")) for s in sockets))
    acks = [await s.expect("ack", timeout=10) for s in sockets]
    assert len({ack["message"]["id"] for ack in acks}) == 1
    assert sum(ack["created"] for ack in acks) == 1
    for socket in sockets:
        await socket.close()


def test_idempotency_under_parallel_retries_across_processes(two_servers):
    asyncio.run(_parallel_retries(two_servers))


async def _closing_under_traffic(running):
    """Sockets closing while events stream to them: a frame sent between the client's
    close frame and the disconnect event must not end the consumer (it used to, without
    its disconnect: the presence row stayed "online" under the heartbeat)."""
    from bench.realtime.client import Client

    one, room = running["servers"][0], running["rooms"][3]
    (a_id, a_key), (b_id, b_key) = running["agents"][:2]
    sender = Client(one, b_key, b_id)
    await sender.open()

    async def flood(prefix):
        for n in range(60):
            await sender.send(send_frame(room, f"{prefix}-{n:06d}", "flot"))
        await sender.expect("ack", timeout=10, where=lambda f: f["message"]["key"].endswith("59"))

    for round_ in range(15):
        reader = Client(one, a_key, a_id)
        await reader.open()
        traffic = asyncio.ensure_future(flood(f"close{round_:02d}"))
        # Not a wait: the close lands at a different point of the traffic each round.
        await asyncio.sleep(0.01 * (round_ % 5))
        await reader.close()
        await traffic
    await sender.close()


@pytest.fixture
def busy_server():
    """One daphne whose rate limits let a test send hundreds of messages quickly."""
    require_executable("redis-server", "apt-get install redis-server")
    if not tcp_open("127.0.0.1", 5432):
        missing_service("PostgreSQL is not listening on 127.0.0.1:5432")
    from bench.realtime.cluster import cluster
    from bench.realtime.swarm import SETTINGS

    with cluster(agents=3, rooms=[3], servers=1, **SETTINGS) as running:
        yield running


def test_closing_under_traffic_never_ends_a_consumer_with_an_error(busy_server):
    log = busy_server["folder"] / "daphne0.log"
    asyncio.run(_closing_under_traffic(busy_server))
    reader_id = busy_server["agents"][0][0]
    wait_until(
        lambda: presence_rows(busy_server, reader_id) == 0,
        timeout=10,
        what="the closed sockets' presence rows to go",
    )
    assert "Exception inside application" not in log.read_text(errors="replace")


def presence_rows(running, agent_id) -> int:
    import psycopg

    with psycopg.connect(running["database"].url) as conn:
        query = "SELECT count(*) FROM presence_presence WHERE agent_id = %s"
        return conn.execute(query, (agent_id,)).fetchone()[0]
