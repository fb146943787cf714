"""Lock-outs keyed on the pair (account, address), with a slower and shorter limit per
account: an attacker failing on purpose from many addresses cannot keep an agent out for
long, nor at all from the agent's own address once the account's short window ends.

Roles: `alice` (the victim, signing in from 192.0.2.10)."""

import time

import pytest

from intranet.accounts.models import SignInFailureCount
from intranet.accounts.throttle import THROTTLE_LIMITS, THROTTLE_WINDOWS
from intranet.audit import kinds
from intranet.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
VICTIM = "192.0.2.10"
THROTTLED = "Too many failed sign-in attempts"


def attempt(client, password, address):
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    return "throttled" if THROTTLED in response.content.decode() else response.status_code


def time_passes(seconds):
    """Every throttle window moves `seconds` closer to its end."""
    for row in SignInFailureCount.objects.all():
        row.expires -= seconds
        row.save(update_fields=["expires"])


def test_the_pair_limit_holds_an_attacker_not_the_victim(client, alice):
    for _ in range(THROTTLE_LIMITS["pair"]):
        attempt(client, "wrong", "198.51.100.1")
    assert attempt(client, PASSWORD, "198.51.100.1") == "throttled"
    assert attempt(client, PASSWORD, VICTIM) == 302


def test_an_attack_from_many_addresses_locks_the_account_briefly(client, alice):
    addresses = [f"198.51.100.{n}" for n in range(1, 7)]
    for address in addresses:  # 6 addresses x 4 failures: under each pair limit
        for _ in range(THROTTLE_LIMITS["pair"] - 1):
            attempt(client, "wrong", address)
    assert attempt(client, PASSWORD, VICTIM) == "throttled"  # the account's limit
    assert THROTTLE_WINDOWS["login"] < THROTTLE_WINDOWS["pair"]
    time_passes(THROTTLE_WINDOWS["login"] + 1)
    assert attempt(client, PASSWORD, VICTIM) == 302  # the victim is back in
    locks = AuditEntry.objects.filter(kind=kinds.LOCKED_OUT)
    assert [entry.details["scope"] for entry in locks] == ["login"]


def test_a_guesser_stays_held_after_the_account_window(client, alice):
    for _ in range(THROTTLE_LIMITS["pair"]):
        attempt(client, "wrong", "198.51.100.9")
    time_passes(THROTTLE_WINDOWS["login"] + 1)
    assert attempt(client, PASSWORD, "198.51.100.9") == "throttled"
    assert AuditEntry.objects.get(kind=kinds.LOCKED_OUT).address == "198.51.100.9"


def test_windows_end_in_real_time(alice):
    """The stored window is the scope's own: the account's ends first."""
    from django.test import Client

    Client().post("/accounts/login/", {"username": "alice", "password": "x"}, REMOTE_ADDR=VICTIM)
    now = int(time.time())
    windows = {row.key.split(":")[0]: row.expires - now for row in SignInFailureCount.objects.all()}
    assert abs(windows["login"] - THROTTLE_WINDOWS["login"]) <= 2
    assert abs(windows["pair"] - THROTTLE_WINDOWS["pair"]) <= 2
