"""A real daphne in the embedded mode: no REDIS_URL, a SQLite file, the in-memory layer.

What another process publishes (a manage.py command, the worker) reaches daphne's
sockets through the outbox (realtime.relay); and close codes are those the protocol
documents, as a browser sees them through daphne (not only through Channels' test
communicator, which accepts any code).
"""

import asyncio
import subprocess

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    from bench.realtime.cluster import PYTHON, ROOT, Daphne, base_env, seed

    folder = tmp_path_factory.mktemp("embedded")
    env = base_env(
        "",
        None,
        TRANSVERSE_VAR_DIR=folder,
        TRANSVERSE_WS_MAX_FRAME_BYTES=4096,
        # The heartbeat's first pass (which would also close a deactivated agent's
        # sockets) comes 45 s after the first socket: a close seen before is the relay's.
        TRANSVERSE_PRESENCE_HEARTBEAT_SECONDS=45,
    )
    env.pop("DATABASE_URL")  # the embedded default: var/transverse.sqlite3, WAL
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    data = seed(env, agents=3)
    server = Daphne(env, log=folder / "daphne.log")
    server.start()
    try:
        yield {"server": server, "env": env, **data}
    finally:
        server.stop()


def manage(running, *args: str) -> str:
    from bench.realtime.cluster import PYTHON, ROOT

    done = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=running["env"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout


def client(running, n: int):
    from bench.realtime.client import Client

    agent_id, key = running["agents"][n]
    return Client(running["server"], key, agent_id)


async def _closed_with(socket) -> int:
    await socket.expect("_closed", timeout=10)
    return socket.socket.close_code


async def _deactivated_by_command(running):
    target, bystander = client(running, 2), client(running, 1)
    await target.open()
    await bystander.open()
    out = await asyncio.to_thread(manage, running, "deactivate_agents", "rt2")
    assert "1 agent(s) deactivated" in out
    assert await _closed_with(target) == 4403
    again = client(running, 2)  # the session was deleted: refused at once
    with pytest.raises(ConnectionError):
        await again.open()
    assert again.socket.close_code == 4401
    await bystander.send({"action": "ping"})
    assert (await bystander.expect("pong"))["live"] is True  # the others stay
    await bystander.close()


def test_an_agent_deactivated_by_a_command_is_disconnected_from_daphne(embedded):
    asyncio.run(_deactivated_by_command(embedded))


async def _oversized(running):
    socket = client(running, 0)
    await socket.open()
    await socket.send({"action": "ping", "padding": "x" * 5000})
    assert (await socket.expect("error"))["code"] == "too_large"
    assert await _closed_with(socket) == 4413  # not 1011, the code of a server error
    await socket.close()


def test_an_oversized_frame_closes_with_4413_through_daphne(embedded):
    asyncio.run(_oversized(embedded))


ANNOUNCE = (
    "from realtime.publish import publish_to_organisation;"
    "publish_to_organisation({'type': 'post.created', 'post': 4242, 'group': None})"
)


async def _from_another_process(running):
    socket = client(running, 1)
    await socket.open()
    await asyncio.to_thread(manage, running, "shell", "-c", ANNOUNCE)
    event = await socket.expect("post.created", timeout=10)
    assert event == {"type": "post.created", "post": 4242, "group": None}
    await socket.close()


def test_an_event_published_by_a_command_reaches_daphnes_sockets(embedded):
    asyncio.run(_from_another_process(running=embedded))
