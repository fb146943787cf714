"""The scan of the run's logs for secrets (tests/logscan.py) finds what it must."""

import logging

from tests.factories import PASSWORD
from tests.logscan import lines_with_secrets


def test_the_scan_finds_a_secret_logged_anywhere_in_a_line():
    lines = ["sign-in failed: login='alice'", f"debug: form data {{'password': '{PASSWORD}'}}"]
    assert lines_with_secrets(lines, {PASSWORD}) == [(PASSWORD, lines[1])]
    assert lines_with_secrets(lines[:1], {PASSWORD}) == []


def test_the_run_handler_keeps_this_line(logs_hold_no_secret):
    logging.getLogger("intranet.somewhere").warning("visible to the scan: %s", "marker-71")
    assert "visible to the scan: marker-71" in logs_hold_no_secret.lines
