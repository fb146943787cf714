"""A session still waiting for its second factor opens no socket.

A staff member who must use TOTP (TRANSVERSE_STAFF_REQUIRE_OTP, or a confirmed device)
signs in with a password: until the code is confirmed, no page but the second factor's
answers, and the socket is closed as for a session that is not signed in (4401).

Roles: `staff` (the site administrator), `alice` (an agent with no device).
"""

import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from intranet.accounts.sessions import session_agent
from intranet.asgi import application
from realtime import actions
from realtime.consumers import CLOSE_UNAUTHORIZED
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in_with_password(username) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def confirm_code(client, device) -> None:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time()
    response = client.post("/accounts/second-factor/", {"code": f"{totp.token():06d}"})
    assert response.status_code == 302


async def socket_with(cookie: str) -> WebsocketCommunicator:
    headers = [
        (b"origin", b"http://localhost"),
        (b"host", b"localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    assert connected  # accepted first, checked next (realtime.consumers)
    return communicator


def cookie_of(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def device(staff):
    return TOTPDevice.objects.create(user=staff, name="app", confirmed=True)


async def test_a_socket_before_the_second_factor_is_closed_as_unauthorised(device, staff):
    client = await sync_to_async(signed_in_with_password)(staff.username)
    communicator = await socket_with(cookie_of(client))
    closed = await communicator.receive_output(timeout=5)
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHORIZED}


async def test_the_same_session_opens_its_socket_once_the_code_is_confirmed(device, staff):
    client = await sync_to_async(signed_in_with_password)(staff.username)
    await sync_to_async(confirm_code)(client, device)
    communicator = await socket_with(cookie_of(client))
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello" and hello["agent"] == staff.pk
    await communicator.disconnect()


def test_staff_who_must_enrol_gets_no_socket_until_enrolled(settings, staff):
    settings.TRANSVERSE_STAFF_REQUIRE_OTP = True
    client = signed_in_with_password(staff.username)
    assert client.get("/")["Location"] == "/accounts/second-factor/enrol/"
    assert actions.connect(cookie_of(client), "chan.1") is None


def test_an_agent_who_needs_no_second_factor_still_connects(settings, alice):
    settings.TRANSVERSE_STAFF_REQUIRE_OTP = True
    client = signed_in_with_password("alice")
    assert actions.connect(cookie_of(client), "chan.1")["agent"] == alice.pk


def test_the_rule_holds_with_another_session_engine(settings, device, staff):
    """Sessions in the cache are read by get_user, not the two prepared statements."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    client = signed_in_with_password(staff.username)
    key = cookie_of(client)
    assert CacheSessionStore(key).exists(key)
    assert session_agent(key) is None
    confirm_code(client, device)
    assert session_agent(key) == staff
