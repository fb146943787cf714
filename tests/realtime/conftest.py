"""Sockets for consumer tests: the real ASGI application (origin check, session auth).

`connect_as(agent)` opens a WebsocketCommunicator through intranet.asgi with the agent's
session cookie and the site's origin, and waits for the hello frame.
"""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from intranet.asgi import application


def session_cookie(agent) -> str:
    client = Client()
    client.force_login(agent)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(agent=None, *, origin=b"http://localhost"):
    headers = [(b"origin", origin), (b"host", b"localhost")]
    if agent is not None:
        cookie = await sync_to_async(session_cookie)(agent)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    return communicator, connected


@pytest.fixture
def connect_as():
    opened = []

    async def connect(agent):
        communicator, connected = await open_socket(agent)
        assert connected
        hello = await communicator.receive_json_from(timeout=5)
        assert hello["type"] == "hello", hello
        opened.append(communicator)
        return communicator

    yield connect


async def expect(communicator, type_, timeout=3):
    """The next frame of this type (skipping others such as counts)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame.get("type") == type_:
            return frame


async def nothing(communicator, timeout=0.3) -> bool:
    return await communicator.receive_nothing(timeout=timeout)


@pytest.fixture
def heartbeat_stopped():
    """No presence heartbeat task of a previous test's loop, none left after this test."""
    from realtime import heartbeat

    heartbeat.stop()
    yield
    heartbeat.stop()
