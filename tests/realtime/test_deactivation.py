"""An agent switched off loses their open sockets (4403) and sessions, whoever did it:
the admin's change form and bulk action, a command, a plain save() from a shell, the
directory sync (tests/directory/test_sync.py), or even an update() that sends no signal
(the heartbeat's pass). Sockets are real (the ASGI application), the admin is the real
one driven through Django's test client.
"""

import io
from html.parser import HTMLParser

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from intranet.accounts.models import User
from intranet.accounts.services import agents_deactivate
from intranet.asgi import application
from realtime import heartbeat, publish
from tests.realtime.conftest import closed_with, expect, nothing, still_open

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("background_tasks_stopped"),
]


class FormFields(HTMLParser):
    """The values a browser would post back from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.data, self.select, self.textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "file", "button"}:
            checkable = attrs.get("type") in {"checkbox", "radio"}
            if checkable and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if checkable else ""))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.setdefault(self.select, []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data


def admin_switch_off(admin, agent) -> int:
    """Untick "active" on the agent's change page and save it; the response status."""
    client = Client()
    client.force_login(admin)
    url = f"/admin/accounts/user/{agent.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = FormFields()
    form.feed(page.content.decode())
    data = {k: v for k, v in form.data.items() if k != "is_active"}
    response = client.post(url, data)
    assert response.status_code == 302, (
        getattr(response.context.get("adminform"), "form", None)
        and response.context["adminform"].form.errors
    )
    return response.status_code


async def test_unticking_active_in_the_admin_closes_the_agents_sockets(
    connect_as, alice, bob, staff
):
    tab, other_tab, bystander = (
        await connect_as(alice),
        await connect_as(alice),
        await connect_as(bob),
    )
    await sync_to_async(admin_switch_off)(staff, alice)
    assert await closed_with(tab) == 4403
    assert await closed_with(other_tab) == 4403
    assert await nothing(bystander)
    assert not (await User.objects.aget(pk=alice.pk)).is_active
    sessions = await sync_to_async(lambda: [s.get_decoded() for s in Session.objects.all()])()
    assert str(alice.pk) not in {s.get("_auth_user_id") for s in sessions}
    await bystander.disconnect()


async def test_the_admins_bulk_action_closes_the_sockets(connect_as, alice, bob, staff):
    tab, other = await connect_as(alice), await connect_as(bob)

    def bulk():
        client = Client()
        client.force_login(staff)
        return client.post(
            "/admin/accounts/user/",
            {"action": "deactivate_selected", "_selected_action": [alice.pk, bob.pk]},
        )

    assert (await sync_to_async(bulk)()).status_code == 302
    assert await closed_with(tab) == 4403
    assert await closed_with(other) == 4403


async def test_the_command_closes_the_sockets_and_deletes_the_sessions(connect_as, alice):
    tab = await connect_as(alice)
    out = io.StringIO()
    await sync_to_async(call_command)("deactivate_agents", "alice", stdout=out)
    assert "1 agent(s) deactivated" in out.getvalue()
    assert await closed_with(tab) == 4403
    has_session = await sync_to_async(Session.objects.exists)()
    assert not has_session


async def test_a_plain_save_from_a_shell_closes_the_sockets(connect_as, alice):
    tab = await connect_as(alice)

    def switch_off():
        agent = User.objects.get(pk=alice.pk)
        agent.is_active = False
        agent.save()

    await sync_to_async(switch_off)()
    assert await closed_with(tab) == 4403


async def test_a_deactivation_rolled_back_closes_nothing(connect_as, alice):
    tab = await connect_as(alice)

    def rolled_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            agents_deactivate(None, [alice.pk])
            raise RuntimeError("the rest of the change failed")

    await sync_to_async(rolled_back)()
    assert await nothing(tab)
    await tab.send_json_to({"action": "counts"})
    assert (await expect(tab, "counts"))["type"] == "counts"
    await tab.disconnect()


async def test_other_saves_of_an_agent_sign_nobody_out(connect_as, alice):
    tab = await connect_as(alice)

    def edit():
        agent = User.objects.get(pk=alice.pk)
        agent.title = "Cheffe de service"
        agent.save()

    await sync_to_async(edit)()
    assert await nothing(tab)
    await tab.disconnect()


async def test_the_heartbeat_closes_sockets_of_an_agent_switched_off_without_a_signal(
    connect_as, alice, bob
):
    """An update() (or raw SQL) sends no signal and nothing to the channel layer: the
    next heartbeat pass of the process finds the agent inactive and closes the socket."""
    tab, other = await connect_as(alice), await connect_as(bob)
    heartbeat.stop()  # the pass is the one below, not the timer's (30 s: a slow run's)
    await User.objects.filter(pk=alice.pk).aupdate(is_active=False)
    assert await still_open(tab)  # the update() closed nothing by itself
    await heartbeat.beat()
    assert await closed_with(tab) == 4403
    assert await still_open(other)
    await other.disconnect()


async def test_a_feed_event_on_its_way_skips_an_agent_deactivated_meanwhile(connect_as, alice, bob):
    """Ids-only feed events carry no audience: each socket checks its agent is still
    active before relaying one, so nothing reaches a deactivated agent before the close
    (here no close comes at all: an update() sends no signal)."""
    tab, other = await connect_as(alice), await connect_as(bob)
    await User.objects.filter(pk=alice.pk).aupdate(is_active=False)
    event = {"type": "post.created", "post": 31, "group": None}
    await sync_to_async(publish.publish_to_organisation)(event)
    assert await expect(other, "post.created") == event
    assert await nothing(tab)
    await other.disconnect()


async def test_signing_out_closes_that_sessions_sockets_only(alice):
    """The user_logged_out hook (intranet.presence's AppConfig): 4401 for the sockets of
    the session signed out, nothing for the agent's sockets of another session."""

    def signed_in() -> Client:
        client = Client()
        client.force_login(alice)
        return client

    leaving, staying = await sync_to_async(signed_in)(), await sync_to_async(signed_in)()
    sockets = []
    for client in (leaving, staying):
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
        socket = WebsocketCommunicator(application, "/ws/", headers=headers)
        assert (await socket.connect(timeout=5))[0]
        assert (await expect(socket, "hello"))["agent"] == alice.pk
        sockets.append(socket)
    await sync_to_async(leaving.logout)()
    assert await closed_with(sockets[0]) == 4401
    assert await nothing(sockets[1])
    await sockets[1].disconnect()
