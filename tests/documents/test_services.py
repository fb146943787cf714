"""The library's write services: uploads, names, versions, quota, trash, restrictions."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone

from intranet.documents import services
from intranet.documents.access import document_abilities, visible_documents
from intranet.documents.models import Blob, Document, DocumentVersion
from tests.documents.conftest import PDF, analyse, file_of, png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_upload_stores_the_bytes_once_under_a_generated_name(budget, alice, _isolated_documents):
    first = services.document_upload(alice, group=budget, upload=file_of("a.pdf", PDF))
    second = services.document_upload(alice, group=budget, upload=file_of("b.pdf", PDF))
    assert Blob.objects.count() == 1
    blob = Blob.objects.get()
    assert "a.pdf" not in blob.file.name and blob.file.name.startswith("documents/")
    assert (_isolated_documents / blob.file.name).read_bytes() == PDF
    assert first.versions.get().blob == second.versions.get().blob


def test_a_new_upload_is_pending_and_hidden_until_analysed(budget, alice, dave, bob):
    from tests.factories import MembershipFactory  # noqa: F401

    document = services.document_upload(alice, group=budget, upload=file_of("a.pdf", PDF))
    assert document.state == "pending"
    assert document in visible_documents(alice)  # the uploader sees it
    assert document in visible_documents(bob)  # an animator too
    analyse(document)
    document.refresh_from_db()
    assert document.state == "ready"
    assert document.current_version.number == 1


def test_same_name_in_the_same_folder_is_kept_as_name_2(budget, alice, upload):
    upload(alice, budget, "rapport.txt", b"un")
    second = upload(alice, budget, "rapport.txt", b"deux")
    third = upload(alice, budget, "rapport.txt", b"trois")
    assert (second.name, third.name) == ("rapport (2).txt", "rapport (3).txt")


def test_over_size_upload_is_refused_with_the_limit(budget, alice, settings):
    settings.TRANSVERSE_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(services.DocumentError) as refused:
        services.document_upload(alice, group=budget, upload=file_of("big.txt", b"x" * 2000))
    assert refused.value.messages == ["The file is too large (2.0\xa0KB); the limit is 1.0\xa0KB."]
    assert not Document.objects.exists() and not Blob.objects.exists()


def test_html_disguised_as_pdf_is_refused(budget, alice, _isolated_documents):
    with pytest.raises(services.DocumentError):
        services.document_upload(
            alice, group=budget, upload=file_of("facture.pdf", b"<html><script>alert(1)</script>")
        )
    assert not Document.objects.exists()
    assert not list(_isolated_documents.rglob("*")) or not any(
        p.is_file() for p in _isolated_documents.rglob("*")
    )


@pytest.mark.parametrize(
    "hostile",
    ["../../etc/passwd.txt", "a\x00b.txt", "\u202etxt.exe.txt", "CON.txt", "é" * 300 + ".txt"],
)
def test_hostile_names_are_sanitised(budget, alice, upload, hostile):
    document = upload(alice, budget, hostile, b"texte")
    assert (
        "/" not in document.name and "\x00" not in document.name and "\u202e" not in document.name
    )
    assert len(document.name) <= 255
    assert document.name.strip()


def test_quota_full_is_refused_with_usage(budget, alice, staff, upload):
    services.library_quota_set(staff, budget, quota_bytes=10)
    with pytest.raises(services.DocumentError) as refused:
        services.document_upload(alice, group=budget, upload=file_of("a.txt", b"x" * 20))
    assert refused.value.messages == [
        "The group's library is full: 0\xa0bytes used of 10\xa0bytes. Delete documents (and "
        "empty the trash) or ask the site's administrators for more space."
    ]
    assert not Blob.objects.exists()


def test_only_staff_set_a_quota(budget, bob):
    with pytest.raises(PermissionDenied):
        services.library_quota_set(bob, budget, quota_bytes=10)


def test_usage_counts_each_content_once(budget, alice, upload):
    upload(alice, budget, "a.txt", b"12345")
    upload(alice, budget, "b.txt", b"12345")
    upload(alice, budget, "c.txt", b"123")
    assert services.library_usage(budget)[0] == 8


def test_new_version_becomes_current_once_ready(budget, alice, upload):
    document = upload(alice, budget, "note.txt", b"v1")
    version = services.document_version_add(
        alice, document, upload=file_of("note.txt", b"v2"), comment="Corrections"
    )
    document.refresh_from_db()
    assert document.current_version.number == 1
    analyse(version)
    document.refresh_from_db()
    assert document.current_version.number == 2
    assert document.current_version.comment == "Corrections"


def test_restoring_an_old_version_adds_a_version(budget, alice, upload):
    document = upload(alice, budget, "note.txt", b"v1")
    analyse(services.document_version_add(alice, document, upload=file_of("n.txt", b"v2")))
    old = document.versions.get(number=1)
    restored = services.document_version_restore(alice, document, old)
    analyse(restored)
    document.refresh_from_db()
    assert document.current_version.number == 3
    assert document.current_version.blob == old.blob
    assert restored.comment == "Restored version 1"


def test_an_outsider_cannot_upload(budget, carol):
    with pytest.raises(Http404):
        services.document_upload(carol, group=budget, upload=file_of("a.txt", b"x"))


def test_restore_and_purge_cycle(budget, alice, bob, upload, _isolated_documents):
    document = upload(alice, budget, "note.txt", b"contenu")
    path = _isolated_documents / document.current_version.blob.file.name
    services.document_delete(alice, document)
    assert document not in visible_documents(alice)
    assert not document_abilities(alice, document).view
    assert document_abilities(bob, document).restore
    with pytest.raises(Http404):  # only animators see the trash
        services.document_restore(alice, document)
    services.document_restore(bob, document)
    assert document in visible_documents(alice)
    services.document_delete(bob, document)
    assert services.trash_purge() == 0  # not 30 days yet
    later = timezone.now() + timezone.timedelta(days=31)
    assert services.trash_purge(now=later) == 1
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not Blob.objects.exists() and not path.exists()


def test_restore_under_a_new_name_when_taken(budget, alice, bob, upload):
    document = upload(alice, budget, "note.txt", b"1")
    services.document_delete(alice, document)
    upload(alice, budget, "note.txt", b"2")
    assert services.document_restore(bob, document).name == "note (2).txt"


def test_folder_tree_moves_and_cycles(budget, alice):
    a = services.folder_create(alice, group=budget, name="A")
    b = services.folder_create(alice, group=budget, parent=a, name="B")
    c = services.folder_create(alice, group=budget, parent=b, name="C")
    assert c.path == f"/{a.pk}/{b.pk}/{c.pk}/"
    with pytest.raises(services.DocumentError) as refused:
        services.folder_move(alice, a, parent=c)
    assert refused.value.messages == ["A folder cannot go inside itself."]
    services.folder_move(alice, b, parent=None)
    c.refresh_from_db()
    assert c.path == f"/{b.pk}/{c.pk}/"


def test_trashed_folder_hides_its_documents(budget, alice, bob, upload):
    folder = services.folder_create(alice, group=budget, name="Archives")
    document = upload(alice, budget, "a.txt", b"x", folder=folder)
    services.folder_delete(alice, folder)
    assert document not in visible_documents(alice)
    assert document not in visible_documents(bob)
    assert document_abilities(bob, document).in_trash


def test_restrict_to_named_agents(budget, alice, bob, dave, upload):
    from tests.factories import MembershipFactory

    MembershipFactory(group=budget, agent=dave)
    document = upload(alice, budget, "a.txt", b"x")
    services.document_restrict(bob, document, restriction="named", agents=[dave])
    assert document in visible_documents(dave)
    assert document not in visible_documents(alice)
    assert document in visible_documents(bob)
    with pytest.raises(Http404):  # alice no longer sees it
        services.document_restrict(alice, document, restriction="group")
    with pytest.raises(PermissionDenied):  # dave sees it, but only animators restrict
        services.document_restrict(dave, document, restriction="group")


def test_named_agent_must_read_the_group(budget, bob, alice, carol, upload):
    document = upload(alice, budget, "a.txt", b"x")
    with pytest.raises(services.DocumentError) as refused:
        services.document_restrict(bob, document, restriction="named", agents=[carol])
    assert refused.value.messages == ["Carol N'Diaye cannot read this group's documents."]


def test_describe_tags_topics(budget, alice, upload):
    document = upload(alice, budget, "a.txt", b"x")
    services.document_describe(alice, document, description="Budget #RGPD et #finances")
    assert sorted(document.topics.values_list("key", flat=True)) == ["finances", "rgpd"]


def test_pending_cleanup_removes_old_pending_uploads(budget, alice):
    document = services.document_upload(alice, group=budget, upload=file_of("a.txt", b"x"))
    DocumentVersion.objects.update(created_at=timezone.now() - timezone.timedelta(days=3))
    assert services.pending_cleanup() == 1
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not Blob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_same_name_uploads_are_both_kept(budget, alice):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    errors, barrier = [], threading.Barrier(2)

    def send(data):
        try:
            barrier.wait()
            services.document_upload(alice, group=budget, upload=file_of("même.txt", data))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(data,)) for data in (b"un", b"deux")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(Document.objects.values_list("name", flat=True)) == ["même (2).txt", "même.txt"]


def test_image_preview_is_re_encoded(budget, alice, upload):
    document = upload(alice, budget, "photo.png", png_bytes())
    assert document.current_version.mime == "image/png"
