"""Staff read the audit trail in the admin: filters, the CSV of the filtered list, and
nothing to add, change or delete. Agents who are not staff get the admin's sign-in page.

Roles: `staff` (superuser), `alice` and `carol` (agents)."""

import pytest
from django.test import Client

from intranet.audit import kinds
from intranet.audit.models import AuditEntry
from intranet.audit.services import audit_record

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LIST = "/admin/audit/auditentry/"


@pytest.fixture
def trail(staff, alice, carol):
    audit_record(kinds.AGENT_DEACTIVATED, actor=staff, target=alice)
    audit_record(kinds.SIGN_IN, actor=carol, target=carol)
    audit_record(kinds.SIGN_IN_FAILED, actor=None, login="=cmd|' /C calc'!A0", reason="x")


@pytest.fixture
def admin_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def test_staff_filter_by_kind_actor_and_object(trail, admin_client, staff, alice, carol):
    def listed(**query):
        cl = admin_client.get(LIST, query).context["cl"]
        return {(entry.kind, entry.actor_label) for entry in cl.result_list}

    # force_login is a sign-in too: staff's own is in the trail.
    assert listed(kind=kinds.SIGN_IN) == {(kinds.SIGN_IN, "carol"), (kinds.SIGN_IN, "siteadmin")}
    assert listed(actor__id__exact=staff.pk) == {
        (kinds.AGENT_DEACTIVATED, "siteadmin"),
        (kinds.SIGN_IN, "siteadmin"),
    }
    entry = AuditEntry.objects.get(kind=kinds.AGENT_DEACTIVATED)
    filtered = admin_client.get(
        LIST, {"target_type__id__exact": entry.target_type_id, "target_id": alice.pk}
    )
    assert filtered.context["cl"].result_count == 1


def test_csv_export_of_the_filtered_list_neutralises_formulas(trail, admin_client):
    response = admin_client.get(LIST + "export/", {"kind": kinds.SIGN_IN_FAILED})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2  # the header and the one failed sign-in
    assert "'=cmd" in lines[1] and kinds.SIGN_IN_FAILED in lines[1]


def test_entries_cannot_be_added_changed_or_deleted(trail, admin_client):
    entry = AuditEntry.objects.first()
    assert admin_client.get(LIST + "add/").status_code == 403
    assert admin_client.post(LIST + f"{entry.pk}/delete/").status_code == 403
    admin_client.post(LIST + f"{entry.pk}/change/", {"kind": "forged.kind"})
    entry.refresh_from_db()
    assert entry.kind != "forged.kind"


def test_agents_who_are_not_staff_cannot_read_or_export(trail, alice):
    client = Client()
    client.force_login(alice)
    for url in (LIST, LIST + "export/"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_hostile_filters_do_not_break_the_list(trail, admin_client):
    for query in (
        {"created_at__gte": "not-a-date"},
        {"actor__id__exact": "x"},
        {"kind": "\x00"},
        {"target_id": "1\x00"},
        {"q": "\x00"},
    ):
        assert admin_client.get(LIST, query).status_code in {200, 302, 400}
        assert admin_client.get(LIST + "export/", query).status_code in {200, 302, 400}
