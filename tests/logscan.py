"""Every log line written during the test run, scanned at its end for the secrets the
tests used: the factories' password, every session key an agent signed in with, and
what a test registers with `secret_used` (reset tokens, TOTP secrets and codes).

A handler on the root logger keeps each formatted line in memory (and the audit trail's
entries are checked by their own tests); at the end of the session a line holding a
secret fails the run with the line. The suite signs in thousands of times, so the scan
covers the sign-in, sign-out, reset and throttle paths in every way the tests drive them.
"""

import logging

import pytest

MIN_SECRET = 8  # shorter values ("1", a name) would match by chance

_secrets: set[str] = set()


def secret_used(value) -> None:
    """Tell the scan a test used this secret: it must appear in no log line."""
    if value and len(str(value)) >= MIN_SECRET:
        _secrets.add(str(value))


def lines_with_secrets(lines, secrets) -> list[tuple[str, str]]:
    """(secret, line) for each line that holds one of secrets."""
    return [(secret, line) for line in lines for secret in secrets if secret in line]


class _KeepLines(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # a malformed record is the logging module's problem, not ours
            text = str(record.msg)
        self.lines.append(text)
        if record.exc_info and record.exc_info[1] is not None:
            self.lines.append(repr(record.exc_info[1]))


def _remember_session_key(sender, request=None, user=None, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        secret_used(session.session_key)


@pytest.fixture(scope="session", autouse=True)
def logs_hold_no_secret():
    from django.contrib.auth.signals import user_logged_in

    from tests.factories import PASSWORD

    secret_used(PASSWORD)
    handler = _KeepLines()
    root = logging.getLogger()
    root.addHandler(handler)
    user_logged_in.connect(_remember_session_key, dispatch_uid="tests-logscan")
    yield handler
    user_logged_in.disconnect(dispatch_uid="tests-logscan")
    root.removeHandler(handler)
    found = lines_with_secrets(handler.lines, _secrets)
    if found:
        secret, line = found[0]
        pytest.fail(f"{len(found)} log line(s) hold a secret, e.g. {secret[:3]}…: {line[:300]}")


@pytest.fixture(autouse=True)
def logs_scanned_in_this_test(logs_hold_no_secret):
    """Keep the scan's handler on the root logger: a test that reconfigures logging (a
    dictConfig replaces the root's handlers) would otherwise hide every later line."""
    root = logging.getLogger()
    if logs_hold_no_secret not in root.handlers:
        root.addHandler(logs_hold_no_secret)
    yield
