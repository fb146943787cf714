"""The directory sync against a real slapd: import, re-run, moves, leavers, safety guard."""

import io
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from ldap3 import MODIFY_REPLACE
from PIL import Image

from intranet.accounts.models import User
from intranet.departments.models import Department
from intranet.directory.models import SyncRun
from intranet.directory.services.agents import agents_deactivate
from intranet.directory.services.sync import SyncRefused, directory_sync
from realtime.publish import agent_group
from tests.directory.ldif import DRH, ETUDES, FINANCES, IMPORTED, unit_dn
from tests.directory.slapd import SUFFIX
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced(slapd_server, directory_settings):
    directory_settings(slapd_server)
    return directory_sync()


def agents():
    return {u.username: u for u in User.objects.filter(source=User.Source.DIRECTORY)}


def test_first_sync_creates_every_usable_agent(synced):
    assert synced.status == SyncRun.Status.SUCCEEDED
    assert set(agents()) == IMPORTED
    assert synced.counts["created"] == len(IMPORTED)
    assert all(
        agent.date_joined >= synced.started_at - timedelta(minutes=1) for agent in agents().values()
    )
    assert synced.counts["ignored_disabled"] == 1
    reasons = {item["reason"] for item in synced.skipped}
    assert "no uid (login)" in reasons
    assert "the login localboss belongs to a local account" not in reasons  # no local yet


def test_profile_fields_accents_and_apostrophes_are_kept(synced):
    fatou = User.objects.get(username="fndiaye")
    assert (fatou.first_name, fatou.last_name, fatou.title) == (
        "Fatou",
        "N'Diaye",
        "Chargée d'études",
    )
    assert fatou.email == "fndiaye@transverse.test"
    assert (fatou.phone, fatou.office) == ("+33 1 23 45 67 89", "B-204")
    assert fatou.department.name == "Bureau d'études et de la formation"
    assert fatou.manager.username == "mlefevre"
    assert not fatou.has_usable_password()
    assert "title" in fatou.directory_fields and "department" in fatou.directory_fields
    assert User.objects.get(username="hcoeur").last_name == "Cœur-Joly"


def test_entry_missing_optional_attributes_is_imported_with_blanks(synced):
    minimal = User.objects.get(username="minimal")
    assert (minimal.first_name, minimal.title, minimal.email, minimal.phone) == ("", "", "", "")
    assert minimal.last_name == "Sanstitre"
    assert minimal.manager is None


def test_two_agents_with_the_same_name_are_two_accounts(synced):
    martins = User.objects.filter(first_name="Paul", last_name="Martin").order_by("username")
    assert [m.username for m in martins] == ["pmartin1", "pmartin2"]
    assert martins[0].department != martins[1].department


def test_departments_mirror_the_units_with_hierarchy_and_heads(synced):
    drh = Department.objects.get(name="Direction des ressources humaines")
    etudes = Department.objects.get(name="Bureau d'études et de la formation")
    assert etudes.parent == drh
    assert drh.parent.name == "Direction générale des services"
    assert drh.head.username == "mlefevre"
    assert drh.parent.head.username == "adurand"
    assert Department.objects.filter(name="Mission d'audit", is_active=True).exists()  # empty
    assert etudes.path.startswith(drh.path)


def test_photo_is_imported_as_square_jpeg(synced):
    photo = User.objects.get(username="photo")
    assert photo.photo.name.startswith("photos/directory/")
    assert "photo" in photo.directory_fields
    assert not User.objects.get(username="jdupont").photo
    with photo.photo.open("rb") as handle, Image.open(handle) as image:
        assert (image.format, image.size) == ("JPEG", (64, 64))  # square, never enlarged


def test_second_run_changes_nothing(synced, django_assert_max_num_queries):
    with django_assert_max_num_queries(21):  # 20, and the run's audit entry
        run = directory_sync()
    assert run.counts["unchanged"] == len(IMPORTED)
    for key in ("created", "updated", "moved", "deactivated", "managers_changed"):
        assert run.counts.get(key, 0) == 0, key


def test_local_account_login_is_never_taken_over(slapd_server, directory_settings):
    directory_settings(slapd_server)
    boss = UserFactory(username="LocalBoss", is_superuser=True)
    run = directory_sync()
    boss.refresh_from_db()
    assert boss.source == User.Source.LOCAL and boss.is_superuser and boss.has_usable_password()
    assert any("localboss belongs to a local account" in i["reason"] for i in run.skipped)


def test_moved_agent_changes_department(fresh_slapd, directory_settings, ldap_admin):
    directory_settings(fresh_slapd)
    directory_sync()
    ldap = ldap_admin(fresh_slapd)
    assert ldap.modify_dn(
        f"uid=jdupont,{unit_dn(*DRH)}", "uid=jdupont", new_superior=unit_dn(*FINANCES)
    )
    run = directory_sync()
    jean = User.objects.get(username="jdupont")
    assert run.counts["moved"] == 1
    assert jean.department.name == "Direction des finances"
    assert jean.directory_dn.startswith("uid=jdupont,ou=Direction des finances")


def test_renamed_unit_renames_the_department(fresh_slapd, directory_settings, ldap_admin):
    directory_settings(fresh_slapd)
    directory_sync()
    ldap = ldap_admin(fresh_slapd)
    ldap.modify(unit_dn(*ETUDES), {"description": [(MODIFY_REPLACE, ["x"])]})
    assert ldap.modify_dn(unit_dn(*ETUDES), "ou=Bureau de la formation")
    directory_sync()
    assert Department.objects.filter(name="Bureau de la formation", is_active=True).exists()
    assert User.objects.get(username="fndiaye").department.name == "Bureau de la formation"


def test_leaver_is_deactivated_and_signed_out_content_stays(
    fresh_slapd, directory_settings, ldap_admin, client, django_capture_on_commit_callbacks
):
    directory_settings(fresh_slapd)
    directory_sync()
    jean = User.objects.get(username="jdupont")
    client.force_login(jean)
    assert Session.objects.count() == 1
    layer = get_channel_layer()
    socket = async_to_sync(layer.new_channel)()  # stands for Jean's open WebSocket
    async_to_sync(layer.group_add)(agent_group(jean.pk), socket)
    assert ldap_admin(fresh_slapd).delete(f"uid=jdupont,{unit_dn(*DRH)}")
    with django_capture_on_commit_callbacks(execute=True):
        run = directory_sync()
    jean.refresh_from_db()
    # Leaving the department group refreshes subscriptions first; then the socket closes.
    events = [async_to_sync(layer.receive)(socket)["type"] for _ in range(2)]
    assert events == ["subscriptions.refresh", "socket.close"]
    assert not jean.memberships.exists()
    assert run.counts["deactivated"] == 1
    assert not jean.is_active and jean.left_at is not None and jean.department is None
    assert Session.objects.count() == 0
    assert client.get("/").status_code == 302  # signed out
    assert User.objects.filter(pk=jean.pk).exists()  # the account (and its content) stays


def test_disabled_in_directory_deactivates_an_existing_agent(
    fresh_slapd, directory_settings, ldap_admin
):
    directory_settings(fresh_slapd)
    directory_sync()
    ldap = ldap_admin(fresh_slapd)
    ldap.modify(
        f"uid=jdupont,{unit_dn(*DRH)}",
        {"pwdAccountLockedTime": [(MODIFY_REPLACE, ["000001010000Z"])]},
    )
    assert directory_sync().counts["deactivated"] == 1
    assert not User.objects.get(username="jdupont").is_active


def test_returning_agent_is_reactivated(fresh_slapd, directory_settings):
    directory_settings(fresh_slapd)
    directory_sync()
    agents_deactivate([User.objects.get(username="jdupont").pk])
    run = directory_sync()
    jean = User.objects.get(username="jdupont")
    assert run.counts["reactivated"] == 1
    assert jean.is_active and jean.left_at is None and jean.department is not None


def test_wrong_base_refuses_and_deactivates_no_one(synced, directory_settings, slapd_server):
    directory_settings(slapd_server, user_base=f"ou=services,{SUFFIX}")
    with pytest.raises(SyncRefused, match="no usable agent"):
        directory_sync()
    assert User.objects.filter(source="directory", is_active=True).count() == len(IMPORTED)
    assert SyncRun.objects.first().status == SyncRun.Status.REFUSED


def test_missing_base_refuses(synced, directory_settings, slapd_server):
    directory_settings(slapd_server, user_base=f"ou=nowhere,{SUFFIX}")
    with pytest.raises(SyncRefused, match="noSuchObject"):
        directory_sync()
    assert User.objects.filter(source="directory", is_active=True).count() == len(IMPORTED)


def test_run_that_would_deactivate_too_many_is_refused(synced, directory_settings, slapd_server):
    # A base one level too deep: the agents of the other units look like leavers.
    directory_settings(slapd_server, user_base=unit_dn(*DRH))
    with pytest.raises(SyncRefused, match="would deactivate"):
        directory_sync()
    assert User.objects.filter(source="directory", is_active=True).count() == len(IMPORTED)
    assert Department.objects.filter(is_active=False).count() == 0


def test_force_confirms_a_large_deactivation(synced, directory_settings, slapd_server):
    directory_settings(slapd_server, user_base=unit_dn(*DRH))
    run = directory_sync(force=True)
    assert run.counts["deactivated"] == len(IMPORTED) - 4  # DRH has 4 agents with ETUDES


def test_unreachable_directory_refuses(synced, directory_settings):
    from tests.services import free_port

    directory_settings(urls=(f"ldap://127.0.0.1:{free_port()}",))
    with pytest.raises(SyncRefused):
        directory_sync()
    assert User.objects.filter(source="directory", is_active=True).count() == len(IMPORTED)


def test_directory_stopped_mid_run_changes_nothing(fresh_slapd, directory_settings, ldap_admin):
    directory_settings(fresh_slapd, page_size=2)
    directory_sync()
    ldap_admin(fresh_slapd).delete(f"uid=jdupont,{unit_dn(*DRH)}")
    read = []

    def stop_after_the_first_page(count):
        read.append(count)
        if len(read) == 2:
            fresh_slapd.stop()  # the next page never comes

    with pytest.raises(SyncRefused, match="search under"):
        directory_sync(progress=stop_after_the_first_page)
    assert len(read) == 2
    assert User.objects.get(username="jdupont").is_active
    assert User.objects.filter(source="directory", is_active=True).count() == len(IMPORTED)
    assert SyncRun.objects.first().status == SyncRun.Status.REFUSED


def test_incremental_sync_reads_only_changed_entries(fresh_slapd, directory_settings, ldap_admin):
    directory_settings(fresh_slapd)
    directory_sync()
    ldap = ldap_admin(fresh_slapd)
    ldap.modify(f"uid=jdupont,{unit_dn(*DRH)}", {"title": [(MODIFY_REPLACE, ["Chef de projet"])]})
    # The first incremental run re-reads what shares the full run's newest timestamp...
    directory_sync(mode=SyncRun.Mode.INCREMENTAL)
    ldap.modify(f"uid=hcoeur,{unit_dn(*FINANCES)}", {"title": [(MODIFY_REPLACE, ["Cheffe"])]})
    run = directory_sync(mode=SyncRun.Mode.INCREMENTAL)
    # ...the next one only entries changed since (and during) the previous run.
    assert run.mode == SyncRun.Mode.INCREMENTAL
    assert run.counts["read"] == 2
    assert (run.counts["updated"], run.counts["unchanged"]) == (1, 1)
    assert User.objects.get(username="hcoeur").title == "Cheffe"
    assert User.objects.get(username="jdupont").title == "Chef de projet"


def test_incremental_sync_never_deactivates_missing_agents(
    fresh_slapd, directory_settings, ldap_admin
):
    directory_settings(fresh_slapd)
    directory_sync()
    ldap_admin(fresh_slapd).delete(f"uid=jdupont,{unit_dn(*DRH)}")
    run = directory_sync(mode=SyncRun.Mode.INCREMENTAL)
    assert run.counts.get("deactivated", 0) == 0
    assert User.objects.get(username="jdupont").is_active


def test_command_prints_summary(synced):
    out = io.StringIO()
    call_command("sync_directory", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "Directory sync (full) done" in text
    assert f"unchanged: {len(IMPORTED)}" in text
    assert "skipped cn=Sans Identifiant" in text


def test_command_exits_non_zero_with_clear_message_when_guard_trips(
    synced, directory_settings, slapd_server
):
    directory_settings(slapd_server, user_base=f"ou=services,{SUFFIX}")
    with pytest.raises(CommandError, match="refused, nothing was changed: the directory returned"):
        call_command("sync_directory", "--no-progress", stdout=io.StringIO())


def test_command_without_directory_says_so(settings):
    settings.TRANSVERSE_LDAP_URLS = ()
    with pytest.raises(CommandError, match="TRANSVERSE_LDAP_URL"):
        call_command("sync_directory")


def test_incremental_sync_creates_a_newcomer_with_manager_and_department(
    fresh_slapd, directory_settings, ldap_admin
):
    directory_settings(fresh_slapd)
    directory_sync()
    manager = User.objects.get(username="mlefevre")
    ldap_admin(fresh_slapd).add(
        f"uid=nouveau,{unit_dn(*ETUDES)}",
        ["inetOrgPerson"],
        {
            "uid": "nouveau",
            "cn": "Noé Nouveau",
            "sn": "Nouveau",
            "givenName": "Noé",
            "manager": manager.directory_dn,
        },
    )
    run = directory_sync(mode=SyncRun.Mode.INCREMENTAL)
    newcomer = User.objects.get(username="nouveau")
    assert run.counts["created"] == 1
    assert newcomer.manager == manager
    assert newcomer.department.name == "Bureau d'études et de la formation"


def test_manager_dn_spelled_differently_still_finds_the_manager(
    fresh_slapd, directory_settings, ldap_admin
):
    directory_settings(fresh_slapd)
    directory_sync()
    dn = f"uid=jdupont,{unit_dn(*DRH)}"
    spelled = f"UID=MLEFEVRE, {unit_dn(*DRH).upper()}"
    assert ldap_admin(fresh_slapd).modify(dn, {"manager": [(MODIFY_REPLACE, [spelled])]})
    directory_sync()
    assert User.objects.get(username="jdupont").manager.username == "mlefevre"
    ldap_admin(fresh_slapd).modify(dn, {"manager": [(MODIFY_REPLACE, [])]})
    assert directory_sync().counts["managers_changed"] == 1
    assert User.objects.get(username="jdupont").manager is None


def test_first_sync_links_managers_at_insert_and_leaves_ids_consistent(synced):
    # Every manager was new too: no second pass was needed to link them.
    assert synced.counts.get("managers_changed", 0) == 0
    assert User.objects.get(username="jdupont").manager.username == "mlefevre"
    later = UserFactory(username="created-after-the-sync")  # the id sequence moved on
    assert later.pk > max(User.objects.exclude(pk=later.pk).values_list("pk", flat=True))


def test_departments_get_their_closed_group_with_their_agents(fresh_slapd, directory_settings):
    from intranet.groups.models import Group

    directory_settings(fresh_slapd)
    directory_sync()
    jean = User.objects.get(username="jdupont")
    group = Group.objects.get(department=jean.department)
    assert group.kind == Group.Kind.DEPARTMENT and group.policy == Group.Policy.CLOSED
    members = set(group.memberships.values_list("agent__username", flat=True))
    expected = set(
        User.objects.filter(department=jean.department, is_active=True).values_list(
            "username", flat=True
        )
    )
    assert members == expected and "jdupont" in members
