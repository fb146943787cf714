"""Presence services: a row per socket, announcements only on a change, stale rows swept.

Announcements are captured with realtime.publish.collected() and the after-commit hooks
run by django_capture_on_commit_callbacks.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from intranet.presence import selectors, services
from intranet.presence.models import Presence
from realtime import publish
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(finance):
    return UserFactory(username="bob", first_name="Bob", last_name="Martin", department=finance)


def announced(pending) -> list[tuple[int, str]]:
    return [(m["event"]["agent"], m["event"]["state"]) for _group, m in pending]


def run(django_capture_on_commit_callbacks, function, *args, **kwargs):
    with publish.collected() as pending, django_capture_on_commit_callbacks(execute=True):
        result = function(*args, **kwargs)
    return result, announced(pending)


def test_first_socket_announces_online_and_a_second_tab_does_not(
    alice, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert run(capture, services.presence_connect, alice, "tab.1") == (
        "online",
        [(alice.pk, "online")],
    )
    assert run(capture, services.presence_connect, alice, "tab.2") == ("online", [])
    assert selectors.presence_states([alice.pk]) == {alice.pk: "online"}


def test_socket_of_an_away_agent_announces_online(alice, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    run(capture, services.presence_connect, alice, "tab.1")
    assert run(capture, services.presence_update, alice, "tab.1", away=True) == (
        "away",
        [(alice.pk, "away")],
    )
    assert run(capture, services.presence_connect, alice, "tab.2")[1] == [(alice.pk, "online")]


def test_reconnection_while_the_old_row_is_fresh_announces_nothing(
    alice, django_capture_on_commit_callbacks
):
    """A restarted server's sockets come back before their old rows expire: no event."""
    capture = django_capture_on_commit_callbacks
    run(capture, services.presence_connect, alice, "old-process.1")
    assert run(capture, services.presence_connect, alice, "new-process.1") == ("online", [])


def test_closing_announces_only_changes(alice, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    for name in ("tab.1", "tab.2", "tab.3"):
        run(capture, services.presence_connect, alice, name)
    run(capture, services.presence_update, alice, "tab.2", away=True)
    run(capture, services.presence_update, alice, "tab.3", away=True)
    # tab.1 was the only active one: away now
    assert run(capture, services.presence_disconnect, alice.pk, "tab.1") == (
        "away",
        [(alice.pk, "away")],
    )
    # an away tab closes while another away tab stays: nothing changes
    assert run(capture, services.presence_disconnect, alice.pk, "tab.2") == ("away", [])
    assert run(capture, services.presence_disconnect, alice.pk, "tab.3") == (
        "offline",
        [(alice.pk, "offline")],
    )
    # closed twice (or swept): nothing to do
    assert run(capture, services.presence_disconnect, alice.pk, "tab.3") == (None, [])


def test_closing_one_of_two_active_tabs_announces_nothing(
    alice, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    run(capture, services.presence_connect, alice, "tab.1")
    run(capture, services.presence_connect, alice, "tab.2")
    assert run(capture, services.presence_disconnect, alice.pk, "tab.1") == ("online", [])


def test_sweep_deletes_expired_rows_of_every_agent_at_most_once_a_minute(alice, bob):
    old = timezone.now() - selectors.PRESENCE_TIMEOUT - timedelta(seconds=1)
    Presence.objects.create(channel_name="dead.1", agent=alice, seen_at=old)
    Presence.objects.create(channel_name="dead.2", agent=bob, seen_at=old)
    Presence.objects.create(channel_name="live.1", agent=bob, seen_at=timezone.now())
    assert services.presence_sweep(force=True) == 2
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["live.1"]
    Presence.objects.create(channel_name="dead.3", agent=alice, seen_at=old)
    assert services.presence_sweep() == 0  # swept less than a minute ago
    assert services.presence_sweep(force=True) == 1


def test_a_connection_sweeps_expired_rows_once_the_minute_has_passed(alice, bob, monkeypatch):
    old = timezone.now() - selectors.PRESENCE_TIMEOUT - timedelta(seconds=1)
    Presence.objects.create(channel_name="dead.1", agent=bob, seen_at=old)
    monkeypatch.setitem(services._last_sweep, "at", float("-inf"))
    services.presence_connect(alice, "tab.1")
    assert not Presence.objects.filter(channel_name="dead.1").exists()


def test_heartbeat_of_a_swept_socket_gives_it_its_row_again(alice):
    services.presence_connect(alice, "tab.1")
    Presence.objects.filter(channel_name="tab.1").delete()  # swept after missed heartbeats
    assert services.presence_update(alice, "tab.1") == "online"
    assert services.presence_update(alice, "tab.1", away=True) == "away"
    assert Presence.objects.get(channel_name="tab.1").away


def test_deactivated_agent_cannot_open_or_refresh_presence(alice):
    alice.is_active = False
    with pytest.raises(PermissionDenied):
        services.presence_connect(alice, "tab.1")
    with pytest.raises(PermissionDenied):
        services.presence_update(alice, "tab.1")
    assert not Presence.objects.exists()


def stale_rows(agent, *names) -> None:
    old = timezone.now() - selectors.PRESENCE_TIMEOUT - timedelta(seconds=1)
    Presence.objects.bulk_create(
        [Presence(channel_name=name, agent=agent, seen_at=old) for name in names]
    )


def test_heartbeat_brings_back_sockets_past_the_timeout(alice):
    """A tab left open and visible sends no presence action: the heartbeat keeps it."""
    stale_rows(alice, "tab.1")
    assert selectors.presence_states([alice.pk]) == {alice.pk: "offline"}
    assert services.presence_heartbeat(["tab.1"]) == 1
    assert selectors.presence_states([alice.pk]) == {alice.pk: "online"}


def test_heartbeat_refreshes_only_its_sockets_and_sweeps_the_others(alice, bob, monkeypatch):
    """The rows of another process (dead, or beating itself) are not refreshed here."""
    stale_rows(alice, "here.1")
    stale_rows(bob, "dead-process.1")
    monkeypatch.setitem(services._last_sweep, "at", float("-inf"))
    assert services.presence_heartbeat(["here.1", "closed-meanwhile.1"]) == 1
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["here.1"]
    assert selectors.presence_states([alice.pk, bob.pk]) == {
        alice.pk: "online",
        bob.pk: "offline",
    }


def test_heartbeat_keeps_away_and_does_not_recreate_a_swept_row(alice):
    services.presence_connect(alice, "tab.1")
    services.presence_update(alice, "tab.1", away=True)
    services.presence_connect(alice, "tab.2")
    Presence.objects.filter(channel_name="tab.2").delete()  # swept by another process
    assert services.presence_heartbeat(["tab.1", "tab.2"]) == 1
    assert list(Presence.objects.values_list("channel_name", "away")) == [("tab.1", True)]


def test_heartbeat_of_many_sockets_is_one_update_per_batch(
    alice, monkeypatch, django_assert_num_queries
):
    """1,201 sockets: three UPDATEs of at most 500 names (SQLite's parameter limit)."""
    names = [f"tab.{i}" for i in range(1201)]
    stale_rows(alice, *names)
    monkeypatch.setitem(services._last_sweep, "at", float("inf"))  # no sweep now
    with django_assert_num_queries(3) as queries:
        assert services.presence_heartbeat(names) == 1201
    assert all(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
    fresh = timezone.now() - selectors.PRESENCE_TIMEOUT
    assert Presence.objects.filter(seen_at__gte=fresh).count() == 1201


def test_opening_a_socket_costs_two_statements(alice, bob, django_assert_num_queries):
    """The hot path of a reconnect storm: the socket's row (one upsert)
    and whether another active socket of the agent was there."""
    services.presence_sweep(force=True)
    services.presence_connect(bob, "tab.bob")
    with django_assert_num_queries(2):
        services.presence_connect(alice, "tab.1")
    with django_assert_num_queries(2):
        services.presence_connect(alice, "tab.1")  # the same channel again: updated in place
    row = Presence.objects.get(channel_name="tab.1")
    assert (row.agent_id, row.away) == (alice.pk, False)
    assert Presence.objects.filter(agent=alice).count() == 1
