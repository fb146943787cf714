"""Failed sign-ins are logged by the application: login, client address and reason, never
the password, on the sign-in page and the admin's alike.

Roles: `alice`, a local account; proxy 10.0.0.1 is trusted only where a test says so.
"""

import logging

import pytest

from intranet.accounts.throttle import THROTTLE_LIMITS, parse_trusted_proxies
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "Tr0ub4dor&3-not-the-password"
LOGGER = "intranet.accounts.signin"


@pytest.fixture
def records(caplog):
    """Every record of every logger while the test runs, DEBUG included."""
    caplog.set_level(logging.DEBUG)
    return caplog


def sign_in(client, username, password, *, url="/accounts/login/", **headers):
    headers = {"REMOTE_ADDR": "203.0.113.7", "HTTP_ACCEPT_LANGUAGE": "en", **headers}
    return client.post(url, {"username": username, "password": password}, **headers)


def failures(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER]


def nowhere(secret: str, caplog) -> bool:
    """secret appears in no record: message, arguments, extra fields, formatted text."""
    return (
        all(secret not in r.getMessage() and secret not in repr(r.__dict__) for r in caplog.records)
        and secret not in caplog.text
    )


def test_wrong_password_is_logged_with_login_and_address_never_the_password(alice, client, records):
    response = sign_in(client, "alice", WRONG)
    assert response.status_code == 200
    assert failures(records) == [
        "sign-in failed: login='alice' address=203.0.113.7 reason=credentials"
    ]
    [record] = [r for r in records.records if r.name == LOGGER]
    assert record.levelno == logging.WARNING
    assert nowhere(WRONG, records)


def test_unknown_login_is_logged_too(client, records):
    sign_in(client, "nobody", WRONG)
    assert failures(records) == [
        "sign-in failed: login='nobody' address=203.0.113.7 reason=credentials"
    ]
    assert nowhere(WRONG, records)


def test_a_successful_sign_in_logs_no_failure(alice, client, records):
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    assert failures(records) == []
    assert nowhere(PASSWORD, records)


def test_the_address_is_the_client_behind_a_trusted_proxy(alice, client, records, settings):
    settings.TRANSVERSE_TRUSTED_PROXIES = parse_trusted_proxies(
        ["10.0.0.1"], "TRANSVERSE_TRUSTED_PROXIES"
    )
    sign_in(client, "alice", WRONG, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert failures(records) == [
        "sign-in failed: login='alice' address=198.51.100.4 reason=credentials"
    ]


def test_a_throttled_attempt_is_logged_as_throttled(alice, client, records):
    for _ in range(THROTTLE_LIMITS["pair"]):
        sign_in(client, "alice", WRONG)
    sign_in(client, "alice", PASSWORD)
    logged = failures(records)
    assert len(logged) == THROTTLE_LIMITS["pair"] + 1
    assert logged[-1] == "sign-in failed: login='alice' address=203.0.113.7 reason=throttled"
    assert nowhere(WRONG, records) and nowhere(PASSWORD, records)


def test_a_login_cannot_forge_a_log_line(client, records):
    sign_in(client, "alice\nWARNING sign-in ok: login='admin'", WRONG)
    [line] = failures(records)
    assert "\n" not in line
    assert line == (
        "sign-in failed: login=\"alice\\nWARNING sign-in ok: login='admin'\""
        " address=203.0.113.7 reason=malformed"
    )


def test_a_long_login_is_cut(client, records):
    sign_in(client, "x" * 150, WRONG)
    [line] = failures(records)
    assert f"login='{'x' * 150}'" in line


def test_the_admin_sign_in_page_is_logged_as_well(alice, client, records):
    response = sign_in(client, "alice", WRONG, url="/admin/login/")
    assert response.status_code == 200
    assert failures(records) == [
        "sign-in failed: login='alice' address=203.0.113.7 reason=credentials"
    ]
    assert nowhere(WRONG, records)
