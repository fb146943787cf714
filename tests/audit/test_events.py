"""Each administrative and security event appears once in the audit trail, with the
right actor, address, object and details, and without any secret.

Roles: `alice` (an agent), `carol` (another one), `staff` (the site administrator),
`budget` (staff's group; bob animates it, alice is a member)."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from intranet.accounts.services import agents_deactivate
from intranet.accounts.throttle import THROTTLE_LIMITS
from intranet.audit import kinds
from intranet.audit.models import AuditEntry
from intranet.groups import services as group_services
from intranet.groups.models import Group
from intranet.moderation import services as moderation
from intranet.stream.services import posts
from tests.factories import PASSWORD
from tests.logscan import secret_used

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
ADDRESS = "203.0.113.7"


def entries(kind):
    return list(AuditEntry.objects.filter(kind=kind).order_by("pk"))


def sign_in(client, username, password, address=ADDRESS):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_sign_in_and_sign_out_are_recorded_once(client, alice):
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR=ADDRESS)
    (signed_in,) = entries(kinds.SIGN_IN)
    (signed_out,) = entries(kinds.SIGN_OUT)
    for entry in (signed_in, signed_out):
        assert (entry.actor, entry.address, entry.target_id) == (alice, ADDRESS, str(alice.pk))


def test_a_failed_sign_in_names_the_login_never_the_password(client, alice):
    sign_in(client, "Alice", "not-her-password-41")
    (entry,) = entries(kinds.SIGN_IN_FAILED)
    assert (entry.actor, entry.actor_label, entry.address) == (None, "Alice", ADDRESS)
    assert entry.details == {"reason": "credentials"}
    assert "not-her-password-41" not in str(AuditEntry.objects.values())


def test_a_hostile_login_is_recorded_without_breaking_the_page(client):
    response = sign_in(client, "x\n' OR 1=1 --\t" + "é" * 120, "pw")
    assert response.status_code == 200
    (entry,) = entries(kinds.SIGN_IN_FAILED)
    assert entry.actor_label.startswith("x\n' OR") and entry.details == {"reason": "malformed"}


def test_each_lock_out_is_recorded_once(client, alice):
    for _ in range(THROTTLE_LIMITS["pair"] + 2):
        sign_in(client, "alice", "wrong")
    (entry,) = entries(kinds.LOCKED_OUT)
    assert (entry.actor_label, entry.address, entry.details) == (
        "alice",
        ADDRESS,
        {"scope": "pair"},
    )


def test_password_reset_request_and_new_password(client, alice):
    client.post("/accounts/password-reset/", {"email": alice.email}, REMOTE_ADDR=ADDRESS)
    assert len(mail.outbox) == 1
    (requested,) = entries(kinds.PASSWORD_RESET_REQUESTED)
    assert (requested.target_id, requested.address) == (str(alice.pk), ADDRESS)
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    secret_used(token)
    form = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    new = "A-new-long-passphrase-77"
    secret_used(new)
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    (reset,) = entries(kinds.PASSWORD_RESET)
    assert (reset.actor, reset.target_id) == (alice, str(alice.pk))
    text = str(list(AuditEntry.objects.values()))
    assert token not in text and new not in text


def test_deactivation_by_service_and_reactivation_in_the_admin(staff, alice, carol):
    agents_deactivate(staff, [alice.pk, carol.pk])
    assert {e.target_id for e in entries(kinds.AGENT_DEACTIVATED)} == {str(alice.pk), str(carol.pk)}
    alice.refresh_from_db()
    alice.is_active = True
    alice.save()
    (entry,) = entries(kinds.AGENT_REACTIVATED)
    assert entry.target_id == str(alice.pk)


def test_the_admin_deactivation_names_the_staff_member_and_address(staff, alice):
    admin = Client()
    admin.force_login(staff)
    admin.post(
        "/admin/accounts/user/",
        {"action": "deactivate_selected", "_selected_action": [alice.pk]},
        REMOTE_ADDR=ADDRESS,
    )
    (entry,) = entries(kinds.AGENT_DEACTIVATED)
    assert (entry.actor, entry.address, entry.target_id) == (staff, ADDRESS, str(alice.pk))


def test_every_moderation_decision_is_kept(alice, carol, staff):
    group = group_services.group_create(alice, name="Atelier", policy=Group.Policy.OPEN)
    group_services.group_join(carol, group)
    post = posts.post_create(carol, body="Un message limite", visibility="group", group=group)
    report = moderation.report_create(carol, reason="spam", post_id=post.pk)
    moderation.report_decide(alice, report.pk, decision="hide")
    moderation.report_decide(staff, report.pk, decision="restore")
    history = entries(kinds.MODERATION_DECIDED)
    assert [(e.actor, e.details["decision"]) for e in history] == [
        (alice, "hide"),
        (staff, "restore"),
    ]
    assert {e.target_id for e in history} == {str(report.pk)}
    assert "Un message limite" not in str(AuditEntry.objects.values())


def test_memberships_roles_and_visibility_changed_by_animators(budget, alice, bob, staff):
    AuditEntry.objects.all().delete()  # the fixture's own role change
    group_services.group_member_role_set(staff, budget, alice, role="animator")
    group_services.group_member_remove(staff, budget, bob)
    group_services.group_update(
        staff, budget, name="Budget", description="", policy="secret", themes=[]
    )
    changes = entries(kinds.MEMBERSHIP_CHANGED)
    assert [(e.details["change"], e.details["agent"]) for e in changes] == [
        ("role", "alice"),
        ("removed", "bob"),
    ]
    assert changes[0].details["before"] == "member" and changes[0].details["after"] == "animator"
    (visibility,) = entries(kinds.GROUP_VISIBILITY_CHANGED)
    assert visibility.details == {"before": "closed", "after": "secret"}


def test_charter_publication(staff):
    version = moderation.charter_publish(staff, body="Soyez courtois.")
    (entry,) = entries(kinds.CHARTER_PUBLISHED)
    assert (entry.actor, entry.target_id) == (staff, str(version.pk))


def test_roles_and_permissions_given_are_recorded(staff, alice):
    from django.contrib.auth.models import Group as Role
    from django.contrib.auth.models import Permission

    alice.is_staff = True
    alice.save()
    moderators = Role.objects.create(name="Moderators")
    alice.groups.add(moderators)
    alice.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    changes = entries(kinds.ROLE_CHANGED)
    assert [e.details.get("staff") or e.details["change"] for e in changes] == [
        [False, True],
        "group.add",
        "permission.add",
    ]
    assert changes[1].details["names"] == ["Moderators"]
    assert {e.target_id for e in changes} == {str(alice.pk)}
