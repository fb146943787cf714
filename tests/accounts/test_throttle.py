"""The sign-in throttle behind reverse proxies, and forged headers that must not bypass it.

Roles: `alice` and `bob`, local accounts (the throttle is the same for directory ones).
Proxy 10.0.0.1 is trusted only where a test says so (TRANSVERSE_TRUSTED_PROXIES).
"""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from intranet.accounts.models import SignInFailureCount
from intranet.accounts.throttle import THROTTLE_LIMITS, client_address, parse_trusted_proxies
from intranet.core.redis_cache import redis_settings
from tests.factories import PASSWORD
from tests.services import free_port

pytestmark = pytest.mark.django_db

THROTTLED = "Too many failed sign-in attempts"
PROXY = "10.0.0.1"


@pytest.fixture
def trusted(settings):
    settings.TRANSVERSE_TRUSTED_PROXIES = parse_trusted_proxies(
        [PROXY, "10.1.0.0/16", "fd00::1"], "TRANSVERSE_TRUSTED_PROXIES"
    )
    return settings


def post(client, username, password, *, remote="203.0.113.7", forwarded=None):
    headers = {"REMOTE_ADDR": remote, "HTTP_ACCEPT_LANGUAGE": "en"}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def throttled(response) -> bool:
    return THROTTLED in response.content.decode()


def address(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().post("/accounts/login/", **meta))


def test_without_trusted_proxies_forwarded_for_is_ignored():
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"
    assert address(PROXY, "198.51.100.1") == PROXY


def test_forged_forwarded_for_does_not_reset_the_pair_limit(client, alice):
    for attempt in range(THROTTLE_LIMITS["pair"]):
        post(client, "alice", "wrong", forwarded=f"198.51.100.{attempt}")
    assert throttled(post(client, "alice", PASSWORD, forwarded="198.51.100.200"))


def test_forged_forwarded_for_does_not_escape_the_address_limit(client, settings):
    """Password spraying from one client: many logins, one address, headers rotated."""
    for attempt in range(THROTTLE_LIMITS["address"]):
        post(client, f"victim{attempt}", "wrong", forwarded=f"198.51.100.{attempt}")
    assert throttled(post(client, "someone-else", "wrong", forwarded="192.0.2.99"))


def test_behind_a_trusted_proxy_each_client_has_its_own_address_limit(trusted, client, bob):
    for attempt in range(THROTTLE_LIMITS["address"]):
        post(client, f"victim{attempt}", "wrong", remote=PROXY, forwarded="198.51.100.1")
    assert throttled(post(client, "bob", PASSWORD, remote=PROXY, forwarded="198.51.100.1"))
    # Another agent behind the same proxy is not held back by the first one's failures.
    assert post(client, "bob", PASSWORD, remote=PROXY, forwarded="198.51.100.2").status_code == 302


def test_client_cannot_choose_its_address_through_a_trusted_proxy(trusted, client, alice):
    """The proxy appends the real client; what the client wrote stays on the left."""
    for attempt in range(THROTTLE_LIMITS["pair"]):
        forged = f"192.0.2.{attempt}, 198.51.100.9"  # the client sent 192.0.2.x itself
        post(client, "alice", "wrong", remote=PROXY, forwarded=forged)
    response = post(client, "alice", PASSWORD, remote=PROXY, forwarded="192.0.2.77, 198.51.100.9")
    assert throttled(response)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        (PROXY, "198.51.100.1", "198.51.100.1"),
        (PROXY, "192.0.2.1, 198.51.100.1", "198.51.100.1"),  # right-most untrusted
        (PROXY, "198.51.100.1, 10.1.2.3", "198.51.100.1"),  # two proxies of ours
        (PROXY, "10.1.2.3", "10.1.2.3"),  # only proxies: the proxy itself is the client
        (PROXY, "", PROXY),
        (PROXY, "198.51.100.1:4711", "198.51.100.1"),  # ports some proxies add
        (PROXY, "::ffff:198.51.100.1", "198.51.100.1"),
        (PROXY, "[2001:db8:1:2::5]:443", "2001:db8:1:2::/64"),
        (PROXY, "198.51.100.1, <script>alert(1)</script>", PROXY),  # garbage: stop there
        (PROXY, "198.51.100.1, unknown", PROXY),
        (PROXY, "198.51.100.1,,", PROXY),
        (PROXY, "1.2.3.4, " * 5000 + "198.51.100.1", "198.51.100.1"),
        (PROXY, "\x00", PROXY),
        ("fd00::1", "198.51.100.1", "198.51.100.1"),
        ("203.0.113.7", "10.1.2.3", "203.0.113.7"),  # an untrusted client naming our proxy
        ("not-an-address", "198.51.100.1", "unknown"),
        ("", "198.51.100.1", "unknown"),
    ],
)
def test_client_address_from_hostile_and_odd_headers(trusted, remote, forwarded, expected):
    assert address(remote, forwarded) == expected


def test_ipv6_clients_are_counted_per_64_network(client, alice):
    """One client owns a whole /64: rotating the low bits must not reset its limits."""
    for attempt in range(THROTTLE_LIMITS["pair"]):
        post(client, "alice", "wrong", remote=f"2001:db8:1:2::{attempt + 1:x}")
    assert throttled(post(client, "alice", PASSWORD, remote="2001:db8:1:2::ffff"))
    assert post(client, "alice", PASSWORD, remote="2001:db8:1:3::1").status_code == 302


def test_failures_are_also_counted_per_login_whatever_the_address(client, alice, bob):
    for attempt in range(THROTTLE_LIMITS["login"]):
        post(client, "alice", "wrong", remote=f"198.51.{attempt}.1")
    assert throttled(post(client, "alice", PASSWORD, remote="192.0.2.200"))
    # Per login: another agent from the same addresses is not locked out.
    assert post(client, "bob", PASSWORD, remote="198.51.1.1").status_code == 302


def test_a_login_throttled_from_one_address_still_signs_in_from_another(client, alice):
    for _attempt in range(THROTTLE_LIMITS["pair"]):
        post(client, "alice", "wrong")
    assert throttled(post(client, "alice", PASSWORD))
    assert post(client, "alice", PASSWORD, remote="192.0.2.1").status_code == 302


def test_failures_are_counted_while_the_cache_is_unreachable(client, alice, settings):
    """Counted in the database: Redis away neither lifts the throttle nor stops sign-in."""
    settings.CACHES, _layers = redis_settings(f"redis://127.0.0.1:{free_port()}/0", "test")
    for _attempt in range(THROTTLE_LIMITS["pair"]):
        assert post(client, "alice", "wrong").status_code == 200
    assert throttled(post(client, "alice", PASSWORD))
    assert post(client, "alice", PASSWORD, remote="192.0.2.1").status_code == 302


def test_a_window_that_ended_counts_anew(client, alice):
    for _attempt in range(THROTTLE_LIMITS["pair"]):
        post(client, "alice", "wrong")
    SignInFailureCount.objects.update(expires=1)  # the window ended long ago
    assert not throttled(post(client, "alice", "wrong"))
    assert set(SignInFailureCount.objects.values_list("failures", flat=True)) == {1}


def test_ended_windows_are_deleted_by_later_failures(client, alice):
    post(client, "alice", "wrong")
    SignInFailureCount.objects.update(expires=1)
    post(client, "bob", "wrong", remote="192.0.2.1")
    assert not SignInFailureCount.objects.filter(expires=1).exists()
    assert SignInFailureCount.objects.count() == 3  # bob's pair, login and address


def test_a_success_clears_the_login_counts_not_the_address_count(client, alice):
    for _attempt in range(THROTTLE_LIMITS["pair"] - 1):
        post(client, "alice", "wrong")
    assert post(client, "alice", PASSWORD).status_code == 302
    left = SignInFailureCount.objects.values_list("key", "failures")
    assert [(key.split(":")[0], failures) for key, failures in left] == [
        ("address", THROTTLE_LIMITS["pair"] - 1)
    ]


@pytest.mark.parametrize("value", ["10.0.0.x", "proxy.example", "10.0.0.0/33", "*"])
def test_bad_trusted_proxies_setting_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="TRANSVERSE_TRUSTED_PROXIES"):
        parse_trusted_proxies([value], "TRANSVERSE_TRUSTED_PROXIES")


def test_trusted_proxies_accept_addresses_and_networks():
    parsed = parse_trusted_proxies(["10.0.0.1", "192.168.0.0/24", "::1"], "X")
    assert parsed == (
        ipaddress.ip_network("10.0.0.1/32"),
        ipaddress.ip_network("192.168.0.0/24"),
        ipaddress.ip_network("::1/128"),
    )
