"""Commands check their database connection at most once a second (realtime.commands):
Django's CONN_HEALTH_CHECKS would otherwise add a `SELECT 1` round trip to every command."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from realtime import commands

pytestmark = pytest.mark.django_db


@pytest.fixture
def health_checks(monkeypatch):
    if not connection.health_check_enabled:
        pytest.skip("CONN_HEALTH_CHECKS is on with PostgreSQL (DATABASE_URL) only")
    wrapper = connections[DEFAULT_DB_ALIAS]
    wrapper.ensure_connection()
    monkeypatch.delattr(wrapper, "transverse_checked_at", raising=False)
    checks = []
    real = wrapper.is_usable

    def counted():
        checks.append(1)
        return real()

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return wrapper, checks


def command():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 42")
        return cursor.fetchone()[0]


def run_as_channels_does(wrapper):
    wrapper.health_check_done = False  # what close_old_connections() leaves before a command
    return commands._health_checked_once_a_second(command)()


def test_commands_within_a_second_share_one_health_check(health_checks):
    wrapper, checks = health_checks
    assert [run_as_channels_does(wrapper) for _ in range(5)] == [42] * 5
    assert len(checks) == 1


def test_a_connection_is_checked_again_after_a_second(health_checks):
    wrapper, checks = health_checks
    run_as_channels_does(wrapper)
    wrapper.transverse_checked_at -= commands.HEALTH_CHECK_SECONDS + 0.1
    run_as_channels_does(wrapper)
    assert len(checks) == 2
