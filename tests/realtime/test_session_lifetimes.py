"""A session's lifetimes hold for its sockets as for its pages.

A page signs a session out once it is past TRANSVERSE_SESSION_AGE after sign-in or
TRANSVERSE_SESSION_IDLE_SECONDS without a page (accounts.second_factor), and Django's
session store drops it at its expiry. Such a session opens no socket (4401, nothing
subscribed), and the heartbeat's next pass closes (4401) the open sockets of a session
that ended meanwhile: expired, or signed out while the close message was lost (Redis
away) or never sent (a session deleted by a command). Sockets are real (the ASGI
application), sessions the site's own store.

Roles: `alice` and `bob`, agents of Finance (tests/conftest.py).
"""

from importlib import import_module

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.sessions.models import Session

from intranet.accounts.second_factor import SEEN_AT, SIGNED_IN_AT
from intranet.presence.models import Presence
from realtime import actions, heartbeat, publish
from realtime.consumers import CLOSE_UNAUTHORIZED
from tests.realtime.conftest import (
    DEADLINE,
    closed_with,
    expect,
    open_socket_with,
    session_cookie,
    still_open,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("background_tasks_stopped"),
]

IDLE, AGE = 600, 3600  # seconds: the site's lifetimes in these tests


@pytest.fixture(autouse=True)
def lifetimes(settings):
    settings.TRANSVERSE_SESSION_IDLE_SECONDS = IDLE
    settings.SESSION_COOKIE_AGE = AGE


def session_aged(key: str, how: str) -> None:
    """Make the stored session past one of its lifetimes, as time would."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    if how == "idle":  # no page for longer than the idle lifetime
        store[SEEN_AT] -= IDLE + 1
    elif how == "absolute":  # signed in longer ago than the absolute lifetime, busy since
        store[SIGNED_IN_AT] -= AGE + 1
    else:  # past its expiry in the session store
        store.set_expiry(-10)
    store.save()


async def nothing_subscribed(agent) -> bool:
    """No presence row, no heartbeat, no channel-layer group for the agent's sockets."""
    layer_groups = getattr(get_channel_layer(), "groups", {})  # the in-memory layer's
    return (
        not await Presence.objects.filter(agent=agent).aexists()
        and not heartbeat.tracked()
        and not layer_groups.get(publish.agent_group(agent.pk))
    )


@pytest.mark.parametrize("how", ["idle", "absolute", "store"])
async def test_a_session_past_a_lifetime_gets_no_socket(alice, how):
    key = await sync_to_async(session_cookie)(alice)
    await sync_to_async(session_aged)(key, how)
    socket = await open_socket_with(key)
    assert await socket.receive_output(timeout=DEADLINE) == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHORIZED,
    }  # no hello before it
    assert await nothing_subscribed(alice)


async def test_a_fresh_session_connects_and_the_heartbeat_keeps_it(alice):
    key = await sync_to_async(session_cookie)(alice)
    socket = await open_socket_with(key)
    assert (await expect(socket, "hello"))["agent"] == alice.pk
    heartbeat.stop()  # the pass is the one below, not the timer's
    await heartbeat.beat()
    assert await still_open(socket)
    await socket.disconnect()


@pytest.mark.parametrize("how", ["idle", "absolute", "store"])
async def test_the_heartbeat_closes_the_socket_of_a_session_that_expired(alice, bob, how):
    """Expiry sends nothing: the next pass finds the session ended and closes its sockets
    only (bob's, of a live session, stays open)."""
    key = await sync_to_async(session_cookie)(alice)
    tab, other = (
        await open_socket_with(key),
        await open_socket_with(await sync_to_async(session_cookie)(bob)),
    )
    await expect(tab, "hello"), await expect(other, "hello")
    heartbeat.stop()  # the pass is the one below, not the timer's
    await sync_to_async(session_aged)(key, how)
    assert await still_open(tab)
    await heartbeat.beat()
    assert await closed_with(tab) == CLOSE_UNAUTHORIZED
    assert await still_open(other)
    await other.disconnect()


async def test_a_session_deleted_without_a_close_message_loses_its_socket(alice):
    """Signing out closes the session's sockets through the channel layer (tests of
    test_deactivation.py); a session deleted without that message (lost while Redis was
    away, or a command's delete) is caught by the heartbeat's next pass."""
    key = await sync_to_async(session_cookie)(alice)
    socket = await open_socket_with(key)
    await expect(socket, "hello")
    heartbeat.stop()
    await Session.objects.filter(session_key=key).adelete()
    assert await still_open(socket)
    await heartbeat.beat()
    assert await closed_with(socket) == CLOSE_UNAUTHORIZED


def test_ended_sessions_are_read_in_one_query(alice, bob, django_assert_num_queries):
    """The heartbeat checks every session of its sockets together: one query per 500."""
    live, idle, gone = (session_cookie(agent) for agent in (alice, bob, alice))
    session_aged(idle, "idle")
    Session.objects.filter(session_key=gone).delete()
    with django_assert_num_queries(1):
        ended = actions.ended_sessions([live, idle, gone, None])
    assert ended == {idle, gone}
