"""The presence heartbeat of a process: its open sockets stay online without a write each.

A socket pings every 25 s (chat.js), which writes nothing: without the heartbeat, an agent
with one visible tab went "offline" 90 s after connecting and their row was swept.
"""

import asyncio
import logging
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.db import DatabaseError
from django.utils import timezone

from intranet.presence import selectors
from intranet.presence.models import Presence
from realtime import actions, heartbeat
from tests.realtime.conftest import expect

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("background_tasks_stopped"),
]


@sync_to_async
def age_rows(agent) -> None:
    """As if the agent's sockets had been open for longer than the timeout."""
    old = timezone.now() - selectors.PRESENCE_TIMEOUT - timedelta(seconds=1)
    Presence.objects.filter(agent=agent).update(seen_at=old)


@sync_to_async
def state_of(agent) -> str:
    return selectors.presence_states([agent.pk])[agent.pk]


@sync_to_async
def channel_of(agent) -> str:
    return Presence.objects.get(agent=agent).channel_name


async def test_an_open_tab_is_online_after_the_timeout_thanks_to_the_heartbeat(connect_as, alice):
    tab = await connect_as(alice)
    await age_rows(alice)
    await tab.send_json_to({"action": "ping"})  # what chat.js sends every 25 s
    await expect(tab, "pong")
    assert await state_of(alice) == "offline"
    assert await heartbeat.beat() == 1
    assert await state_of(alice) == "online"
    await tab.disconnect()


async def test_a_closed_socket_leaves_the_heartbeat(connect_as, alice, bob):
    tab, other = await connect_as(alice), await connect_as(bob)
    name, other_name = await channel_of(alice), await channel_of(bob)
    assert {name, other_name} <= heartbeat.tracked()
    await tab.disconnect()
    assert name not in heartbeat.tracked()
    assert other_name in heartbeat.tracked()
    await other.disconnect()
    assert other_name not in heartbeat.tracked()


async def test_the_task_beats_every_period_and_survives_a_database_error(
    connect_as, alice, settings, monkeypatch, caplog
):
    """The first passes fail (the database is down): logged once, not once a pass, and
    when a pass works again a summary says how long and how many; the row is fresh."""
    settings.TRANSVERSE_PRESENCE_HEARTBEAT_SECONDS = 0.05
    calls = []

    def failing_once(names):
        calls.append(names)
        if len(calls) <= 4:
            raise DatabaseError("the server closed the connection")
        return original(names)

    original = actions.heartbeat
    monkeypatch.setattr(actions, "heartbeat", failing_once)
    tab = await connect_as(alice)  # starts the task
    await age_rows(alice)

    def heartbeat_lines():
        return [r for r in caplog.records if "presence heartbeat" in r.getMessage()]

    # The row is written before the pass that wrote it logs the outage's end: wait for both.
    for _ in range(100):
        if await state_of(alice) == "online" and len(heartbeat_lines()) >= 2:
            break
        await asyncio.sleep(0.05)
    assert await state_of(alice) == "online"
    assert len(calls) >= 5
    logged = heartbeat_lines()
    assert [r.levelno for r in logged] == [logging.ERROR, logging.WARNING], logged
    assert "unreachable" in logged[0].getMessage() and logged[0].exc_info
    assert "(4 failed calls)" in logged[1].getMessage()
    await tab.disconnect()
