"""Exports: what the zip holds, who may download it, for how long."""

from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from intranet.chat import services as chat_services
from intranet.notifications.models import Kind, Notification
from intranet.privacy import services
from intranet.privacy.models import DataExport
from intranet.skills.services import agent_skills_set
from intranet.stream.services import comments, posts
from tests.privacy.conftest import zip_json, zip_names


def built(actor, agent=None) -> DataExport:
    export = services.export_request(actor, agent=agent)
    return services.export_build(export.pk)


def download(client, export):
    response = client.get(reverse("privacy:export-download", args=[export.pk]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_export_of_an_agent_in_a_secret_group_holds_their_content_only(secret, alice, bob, client):
    mine = posts.post_create(alice, body="alice-secret-post", visibility="group", group=secret)
    theirs = posts.post_create(bob, body="bob-secret-post", visibility="group", group=secret)
    comments.comment_create(bob, mine.pk, body="bob-reply-under-alice")
    comments.comment_create(alice, theirs.pk, body="alice-reply-under-bob")
    room = chat_services.group_room(alice, secret)
    chat_services.message_send(alice, room.pk, body="alice-says", idempotency_key="alice-0001")
    chat_services.message_send(bob, room.pk, body="bob-says", idempotency_key="bob-00001")
    agent_skills_set(alice, alice, labels=["Marchés publics"])

    export = built(alice)
    client.force_login(alice)
    response, data = download(client, export)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = data.decode("latin-1")  # the whole zip, compressed or not, must not hold bob's words
    assert "bob-secret-post" not in str(zip_json(data, "stream/posts.json"))
    assert [p["body"] for p in zip_json(data, "stream/posts.json")] == ["alice-secret-post"]
    assert [c["body"] for c in zip_json(data, "stream/comments.json")] == ["alice-reply-under-bob"]
    assert [m["body"] for m in zip_json(data, "chat/messages.json")] == ["alice-says"]
    assert zip_json(data, "profile/profile.json")[0]["last_name"] == "Lefèvre"
    assert "Marchés publics" in str(zip_json(data, "skills/skills.json"))
    assert "Cellule secrète" in str(zip_json(data, "groups/memberships.json"))
    assert "notifications/settings.json" in zip_names(data)
    for words in ("bob-says", "bob-reply-under-alice", "bob-secret-post"):
        assert words not in text
        assert all(
            words not in str(zip_json(data, n)) for n in zip_names(data) if n.endswith(".json")
        )


def test_agent_is_notified_when_the_export_is_ready(alice):
    export = built(alice)
    assert export.status == DataExport.Status.READY
    assert export.expires_at - export.ready_at == timedelta(days=7)
    notification = Notification.objects.get(recipient=alice, kind=Kind.DATA_EXPORT_READY)
    assert notification.target == export


def test_request_from_the_page_queues_one_task(
    alice_client, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = alice_client.post(reverse("privacy:export-request"))
        alice_client.post(reverse("privacy:export-request"))
    assert response.status_code == 302
    assert DataExport.objects.filter(agent=alice).count() == 1  # one pending at a time
    assert len(callbacks) == 1
    from django_tasks_db.models import DBTaskResult

    assert (
        DBTaskResult.objects.filter(task_path="intranet.privacy.tasks.privacy_export_build").count()
        == 1
    )


def test_someone_elses_download_is_404(alice, bob, staff, client):
    export = built(alice)
    for other in (bob, staff):
        client.force_login(other)
        assert download(client, export)[0].status_code == 404


def test_anonymous_download_goes_to_sign_in(alice, client):
    export = built(alice)
    response = client.get(reverse("privacy:export-download", args=[export.pk]))
    assert response.status_code in (302, 404)
    assert not getattr(response, "streaming", False)


def test_expired_download_is_refused_and_purged(alice, client):
    export = built(alice)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(alice)
    assert download(client, export)[0].status_code == 404
    assert storages["private"].exists(export.file_name)
    assert services.exports_purge() == 1
    assert not storages["private"].exists(export.file_name)
    assert DataExport.objects.get(pk=export.pk).status == DataExport.Status.EXPIRED


def test_unexpired_export_survives_the_purge(alice):
    export = built(alice)
    assert services.exports_purge() == 0
    assert storages["private"].exists(export.file_name)


def test_export_file_is_outside_the_media_folder(alice, settings):
    export = built(alice)
    path = storages["private"].path(export.file_name)
    assert not path.startswith(str(settings.MEDIA_ROOT))


@pytest.mark.parametrize("export_id", ["abc", "-1", "99999999999999999999", "1%00", "../1"])
def test_hostile_export_ids_are_404(alice_client, export_id):
    response = alice_client.get(f"/my-data/exports/{export_id}/download/")
    assert response.status_code == 404


def test_staff_produce_an_export_for_an_agent(alice, staff, client):
    client.force_login(staff)
    response = client.post(reverse("privacy:agent-data", args=[alice.pk]))
    assert response.status_code == 302
    export = DataExport.objects.get(agent=alice)
    assert export.requested_by == staff
    services.export_build(export.pk)
    assert download(client, export)[0].status_code == 200  # the requester hands it over
    client.force_login(alice)
    assert download(client, export)[0].status_code == 200


def test_non_staff_cannot_reach_an_agent_data_page(alice, bob, client):
    client.force_login(bob)
    assert client.get(reverse("privacy:agent-data", args=[alice.pk])).status_code == 404
    assert client.post(reverse("privacy:agent-data", args=[alice.pk])).status_code == 404
    assert not DataExport.objects.exists()


def test_my_data_page_lists_exports(alice_client, alice):
    built(alice)
    html = alice_client.get(reverse("privacy:my-data")).content.decode()
    assert reverse("privacy:export-download", args=[DataExport.objects.get().pk]) in html


def test_profile_links_to_my_data(alice_client, alice):
    html = alice_client.get(reverse("people:agent-detail", args=[alice.username])).content.decode()
    assert reverse("privacy:my-data") in html


def test_attachment_is_copied(alice, bob):
    conversation = chat_services.conversation_named_create(alice, name="x", agents=[bob])
    upload = SimpleUploadedFile("note.txt", b"attachment-bytes", content_type="text/plain")
    chat_services.message_send(
        alice, conversation.pk, body="with file", idempotency_key="file-0001", attachment=upload
    )
    export = built(alice)
    with storages["private"].open(export.file_name, "rb") as file:
        data = file.read()
    assert any(
        n.startswith("chat/attachments/") and n.endswith("note.txt") for n in zip_names(data)
    )


def test_export_is_audited_once_and_lists_the_audit_entries_about_the_agent(alice, staff):
    from intranet.audit import kinds
    from intranet.audit.models import AuditEntry
    from intranet.audit.services import audit_record

    audit_record(kinds.ROLE_CHANGED, actor=staff, target=alice, role="animator")
    export = built(staff, alice)
    (entry,) = AuditEntry.objects.filter(kind=kinds.DATA_EXPORTED)
    assert (entry.actor, entry.target_id) == (staff, str(alice.pk))
    with storages["private"].open(export.file_name, "rb") as file:
        rows = zip_json(file.read(), "audit/audit.json")
    assert [r["details"] for r in rows] == [{"role": "animator"}]
    assert rows[0]["by_you"] is False and rows[0]["address"] == ""


def test_staff_find_the_export_they_produced_on_their_data_page(alice, staff, client):
    export = built(staff, alice)
    client.force_login(staff)
    html = client.get(reverse("privacy:my-data")).content.decode()
    assert reverse("privacy:export-download", args=[export.pk]) in html
    assert "Alice Lefèvre" in html


def test_profile_photo_is_copied_into_the_zip(alice):
    from django.core.files.base import ContentFile

    alice.photo.save("alice.png", ContentFile(b"\x89PNG photo-bytes"), save=True)
    export = built(alice)
    with storages["private"].open(export.file_name, "rb") as file:
        data = file.read()
    (name,) = [n for n in zip_names(data) if n.startswith("profile/photo/")]
    import io
    import zipfile

    assert zipfile.ZipFile(io.BytesIO(data)).read(name) == b"\x89PNG photo-bytes"


def test_admin_lists_exports_without_their_path(alice, staff, client):
    export = built(alice)
    client.force_login(staff)
    response = client.get(reverse("admin:privacy_dataexport_change", args=[export.pk]))
    assert response.status_code == 200
    assert export.file_name not in response.content.decode()
