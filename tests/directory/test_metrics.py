"""Directory sync runs counted by result and timed, for /metrics (intranet.core.metrics)."""

import pytest
from django.test import Client

from intranet.directory.services.sync import SyncRefused, directory_sync
from tests.core.metrics_text import scraped, value
from tests.services import free_port

pytestmark = pytest.mark.django_db

RUNS = "transverse_directory_sync_runs_total"
DURATIONS = "transverse_directory_sync_duration_seconds_count"


def moved(before, after, name, **labels) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def test_a_refused_run_is_counted_and_timed(directory_settings):
    directory_settings(urls=(f"ldap://127.0.0.1:{free_port()}",))
    before = scraped(Client())
    with pytest.raises(SyncRefused):
        directory_sync()
    after = scraped(Client())
    assert moved(before, after, RUNS, mode="full", status="refused") == 1
    assert moved(before, after, RUNS, status="succeeded") == 0
    assert moved(before, after, DURATIONS, mode="full") == 1


def test_a_successful_run_is_counted_and_timed(slapd_server, directory_settings):
    directory_settings(slapd_server)
    before = scraped(Client())
    directory_sync()
    after = scraped(Client())
    assert moved(before, after, RUNS, mode="full", status="succeeded") == 1
    assert moved(before, after, DURATIONS, mode="full") == 1
