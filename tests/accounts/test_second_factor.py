"""The second factor (TOTP and recovery codes) and the session lifetimes.

Roles: `staff` (the site administrator), `alice` (an agent with no device)."""

import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from intranet.accounts.second_factor import SEEN_AT, SIGNED_IN_AT
from intranet.audit import kinds
from intranet.audit.models import AuditEntry
from tests.factories import PASSWORD
from tests.logscan import secret_used

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def code_of(device, offset=0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def signed_in(username) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def required(settings):
    settings.TRANSVERSE_STAFF_REQUIRE_OTP = True


def test_staff_without_a_device_must_enrol_before_any_page(required, staff):
    client = signed_in(staff.username)
    for url in ("/", "/admin/", "/people/"):
        assert client.get(url)["Location"] == "/accounts/second-factor/enrol/"
    page = client.get("/accounts/second-factor/enrol/").content.decode()
    assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>")[0]
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    secret_used(device.key)
    wrong = client.post("/accounts/second-factor/enrol/", {"code": "000000x"})
    assert "pas celui qu’affiche votre application" in wrong.content.decode()
    # django-otp slows down guessing (1 s, then 2 s...): that second has passed.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    done = client.post("/accounts/second-factor/enrol/", {"code": code_of(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and all(StaticToken.objects.filter(token=c).exists() for c in codes)
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(kind=kinds.OTP_ENROLLED, actor=staff).count() == 1


def test_an_agent_without_a_device_is_not_asked(required, alice):
    assert signed_in("alice").get("/").status_code == 200


def test_a_confirmed_device_is_asked_after_the_password(staff):
    device = TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    client = signed_in(staff.username)
    assert client.get("/")["Location"] == "/accounts/second-factor/"
    refused = client.post("/accounts/second-factor/", {"code": "123456"})
    assert refused.status_code == 200 and client.get("/").status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    assert client.post("/accounts/second-factor/", {"code": code_of(device)}).status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(kind=kinds.OTP_FAILED).count() == 1


def test_a_recovery_code_works_once(staff):
    from django_otp.plugins.otp_static.models import StaticDevice

    TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=staff, name="recovery", confirmed=True)
    recovery.token_set.create(token="rescue12")
    first = signed_in(staff.username)
    assert first.post("/accounts/second-factor/", {"code": "rescue12"}).status_code == 302
    second = signed_in(staff.username)
    assert second.post("/accounts/second-factor/", {"code": "rescue12"}).status_code == 200
    assert AuditEntry.objects.filter(kind=kinds.OTP_RECOVERY_USED).count() == 1


def test_sign_out_stays_possible_before_the_second_factor(required, staff):
    client = signed_in(staff.username)
    assert client.post("/accounts/logout/")["Location"] == "/accounts/login/"


def test_an_idle_session_ends(settings, alice):
    settings.TRANSVERSE_SESSION_IDLE_SECONDS = 600
    client = signed_in("alice")
    session = client.session
    session[SEEN_AT] -= 601
    session.save()
    assert client.get("/")["Location"] == "/accounts/login/"
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_busy_session_still_ends_at_its_absolute_lifetime(settings, alice):
    settings.SESSION_COOKIE_AGE = 3600
    client = signed_in("alice")
    session = client.session
    session[SIGNED_IN_AT] -= 3601
    session.save()
    assert client.get("/")["Location"] == "/accounts/login/"


def test_hostile_codes_are_refused_without_error(staff):
    TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    client = signed_in(staff.username)
    for code in ("", "x" * 500, "\x00", "12 34 56", "' OR 1=1"):
        assert client.post("/accounts/second-factor/", {"code": code}).status_code == 200
