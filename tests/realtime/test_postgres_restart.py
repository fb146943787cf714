"""PostgreSQL restarting is survived without restarting daphne.

The test runs its own PostgreSQL cluster (initdb and pg_ctl from /usr/lib/postgresql, on a
free loopback port, in a temporary folder) so stopping it never disturbs the machine's
shared server. While the database is down, a send is answered with `unavailable` and the
socket stays open; once it is back, the same socket sends again (with the same key: one
message), a new socket connects, and a replay shows every stored message once.
"""

import asyncio
import shutil

import pytest

from tests.services import missing_service

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def own_postgres_site():
    from bench.realtime.cluster import PostgresServer, cluster

    if PostgresServer.bin_dir() is None:
        missing_service("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    if shutil.which("runuser") is None:
        missing_service("runuser is needed to run initdb as the postgres account")
    with cluster(agents=2, rooms=[2], servers=1, redis=False, own_postgres=True) as running:
        yield running


def frame(room, key, body):
    return {"action": "send", "conversation": room, "body": body, "key": key}


async def _through_a_restart(running):
    from bench.realtime.client import Client

    server, postgres, room = running["servers"][0], running["postgres"], running["rooms"][2]
    (a_id, a_key), (b_id, b_key) = running["agents"][:2]
    alice = Client(server, a_key, a_id)
    await alice.open()
    await alice.send(frame(room, "before-restart-1", "avant"))
    assert (await alice.expect("ack"))["created"]

    await asyncio.to_thread(postgres.stop)
    await alice.send(frame(room, "during-outage-1", "pendant"))
    error = await alice.expect("error", timeout=30)
    assert error["code"] == "unavailable", error

    await asyncio.to_thread(postgres.start)
    ack = None
    for _attempt in range(20):  # the first query after the restart may still fail once
        await alice.send(frame(room, "during-outage-1", "pendant"))
        answer = await _answer(alice)
        if answer["type"] == "ack":
            ack = answer
            break
        await asyncio.sleep(0.5)
    assert ack is not None and ack["message"]["body"] == "pendant"

    bob = Client(server, b_key, b_id)
    await bob.open(timeout=30)
    await bob.send({"action": "sync", "cursors": {str(room): 0}})
    replay = await bob.expect("replay", timeout=30)
    assert [m["body"] for m in replay["messages"]] == ["avant", "pendant"]
    await alice.close()
    await bob.close()


async def _answer(client):
    while True:
        frame_ = await asyncio.wait_for(client.frames.get(), 30)
        if frame_.get("type") in {"ack", "error"}:
            return frame_


def test_daphne_survives_a_postgres_restart(own_postgres_site):
    asyncio.run(_through_a_restart(own_postgres_site))
