"""Sockets for consumer tests: the real ASGI application (origin check, session auth).

`connect_as(agent)` opens a WebsocketCommunicator through intranet.asgi with the agent's
session cookie and the site's origin, and waits for the hello frame. Waits have generous
deadlines (a loaded CI machine): they end as soon as the frame comes.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from intranet.asgi import application
from tests.waiting import wait_until

DEADLINE = 30  # seconds: for a frame that must come


def session_cookie(agent) -> str:
    client = Client()
    client.force_login(agent)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(agent=None, *, origin=b"http://localhost"):
    key = None if agent is None else await sync_to_async(session_cookie)(agent)
    communicator = socket_for(key, origin=origin)
    connected, _ = await communicator.connect(timeout=DEADLINE)
    return communicator, connected


def socket_for(session_key: str | None, *, origin=b"http://localhost") -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"localhost")]
    if session_key is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={session_key}".encode()))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


async def open_socket_with(session_key: str) -> WebsocketCommunicator:
    """A socket of this session, its handshake accepted (the session is checked next)."""
    communicator = socket_for(session_key)
    connected, _ = await communicator.connect(timeout=DEADLINE)
    assert connected
    return communicator


@pytest.fixture
def connect_as():
    opened = []

    async def connect(agent):
        communicator, connected = await open_socket(agent)
        assert connected
        hello = await communicator.receive_json_from(timeout=DEADLINE)
        assert hello["type"] == "hello", hello
        opened.append(communicator)
        return communicator

    yield connect


async def expect(communicator, type_, timeout=DEADLINE):
    """The next frame of this type (skipping others such as counts)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame.get("type") == type_:
            return frame


async def nothing(communicator, timeout=0.3) -> bool:
    return await communicator.receive_nothing(timeout=timeout)


async def still_open(communicator) -> bool:
    """The socket is open and was sent no close: its ping is answered (a close sent
    before would be the next output, and fail the read)."""
    await communicator.send_json_to({"action": "ping"})
    return (await expect(communicator, "pong"))["type"] == "pong"


async def closed_with(communicator) -> int:
    """The close code of the socket, after the frames sent before it."""
    output = await communicator.receive_output(timeout=DEADLINE)
    while output["type"] != "websocket.close":
        output = await communicator.receive_output(timeout=DEADLINE)
    return output["code"]


def _background_stopped() -> None:
    from realtime import heartbeat, relay

    elsewhere = [*heartbeat.stop(), *relay.stop()]
    wait_until(
        lambda: all(task.done() or not task.get_loop().is_running() for task in elsewhere),
        what="the background tasks of other threads' event loops to stop",
    )


@pytest.fixture
def background_tasks_stopped():
    """No presence heartbeat or outbox relay task runs during the test but those its own
    sockets start: none of an earlier test's loop, nor of a loop running in another thread
    (the in-process daphne of tests/browser, which shares this process's state); none
    left after this test."""
    _background_stopped()
    yield
    _background_stopped()
