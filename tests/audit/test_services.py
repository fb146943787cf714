"""The audit trail's event API: one entry per call, with who, when, from where, what and
on which object; secrets refused; the caller's transaction respected.

Roles: `alice` (an agent), `staff` (who acts on her account)."""

import pytest
from django.db import transaction
from django.test import RequestFactory

from intranet.audit.models import AuditEntry
from intranet.audit.services import audit_record

pytestmark = pytest.mark.django_db


def request_from(address="203.0.113.7"):
    return RequestFactory().post("/somewhere/", REMOTE_ADDR=address)


def test_an_event_is_recorded_once_with_its_fields(staff, alice):
    audit_record(
        "accounts.deactivated", actor=staff, target=alice, request=request_from(), reason="left"
    )
    entry = AuditEntry.objects.get()
    assert entry.kind == "accounts.deactivated"
    assert (entry.actor, entry.actor_label) == (staff, staff.username)
    assert entry.address == "203.0.113.7"
    assert entry.target_type.model == "user"
    assert (entry.target_id, entry.target_label) == (str(alice.pk), str(alice))
    assert entry.details == {"reason": "left"}
    assert entry.created_at is not None


def test_system_event_without_actor_nor_request(alice):
    entry = audit_record("directory.synced", actor=None, created=3, deactivated=1)
    assert (entry.actor, entry.actor_label, entry.address) == (None, "", "")
    assert entry.details == {"created": 3, "deactivated": 1}


def test_a_failed_sign_in_keeps_the_login_typed_but_no_actor():
    entry = audit_record("accounts.sign_in_failed", actor=None, login="jdupont\n", reason="x")
    assert entry.actor is None
    assert entry.actor_label == "jdupont\n"
    assert "login" not in entry.details


def test_an_ipv6_client_is_recorded_as_its_network(alice):
    entry = audit_record("accounts.sign_in", actor=alice, request=request_from("2001:db8::1"))
    assert entry.address == "2001:db8::/64"


@pytest.mark.parametrize(
    "name", ["password", "new_password1", "session_key", "token", "otp_secret", "body", "api_key"]
)
def test_details_that_could_carry_a_secret_are_refused(alice, name):
    with pytest.raises(ValueError, match="secret or private"):
        audit_record("accounts.sign_in", actor=alice, **{name: "x"})
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("kind", ["", "signin", "Accounts.Sign_in", "a.b c", "x." + "y" * 70])
def test_malformed_kinds_are_refused(alice, kind):
    with pytest.raises(ValueError):
        audit_record(kind, actor=alice)


def test_a_rolled_back_change_leaves_no_entry(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record("accounts.deactivated", actor=None, target=alice)
        raise RuntimeError
    assert not AuditEntry.objects.exists()


def test_the_label_outlives_the_target(staff):
    from tests.factories import UserFactory

    gone = UserFactory(username="gone")
    audit_record("accounts.deactivated", actor=staff, target=gone)
    gone.delete()
    entry = AuditEntry.objects.get()
    assert entry.target_label == str(gone) and entry.target_id
