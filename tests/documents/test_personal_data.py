"""An agent's documents in their RGPD rights: the export, anonymisation and erasure."""

import hashlib
import io
import zipfile

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from intranet.accounts.services import agents_deactivate
from intranet.documents import services
from intranet.documents.models import (
    Blob,
    Document,
    DocumentUserObjectPermission,
    DocumentVersion,
    documents_storage,
)
from intranet.groups import services as group_services
from intranet.groups.models import Membership
from intranet.privacy import services as privacy
from intranet.privacy.archive import private_storage
from tests.documents.conftest import analyse, file_of
from tests.privacy.conftest import (
    _isolated_private_storage,  # noqa: F401 (autouse fixture)
    zip_json,
    zip_names,
)
from tests.search.conftest import index_now


@pytest.fixture
def secret(bob, alice, dave):
    """A secret group animated by bob; alice and dave are plain members."""
    group = group_services.group_create(bob, name="Cellule secrète", policy="secret")
    Membership.objects.create(group=group, agent=alice)
    Membership.objects.create(group=group, agent=dave)
    return group


def exported(agent, actor=None) -> bytes:
    export = privacy.export_build(privacy.export_request(actor or agent, agent=agent).pk)
    with private_storage().open(export.file_name, "rb") as stored:
        return stored.read()


def test_export_holds_the_agents_uploads_never_what_is_restricted_from_them(
    secret, alice, bob, dave, upload
):
    mine = upload(alice, secret, "zqxmine.txt", b"alice-own-bytes")
    services.document_version_add(
        alice, mine, upload=file_of("zqxmine.txt", b"alice-second-bytes"), comment="relu"
    )
    analyse(mine)
    hidden = upload(alice, secret, "zqxhidden.txt", b"alice-hidden-bytes")
    services.document_restrict(bob, hidden, restriction="animators")
    folder = services.folder_create(bob, group=secret, name="Réservé")
    in_folder = upload(alice, secret, "zqxfolder.txt", b"alice-folder-bytes", folder=folder)
    services.folder_restrict(bob, folder, restriction="named", agents=[dave])
    named = upload(alice, secret, "zqxnamed.txt", b"alice-named-bytes")
    services.document_restrict(bob, named, restriction="named", agents=[alice])
    upload(bob, secret, "zqxbob.txt", b"bob-own-bytes")  # bob's, not alice's
    theirs = upload(bob, secret, "zqxshared.txt", b"bob-shared-bytes")
    services.document_version_add(alice, theirs, upload=file_of("x.txt", b"alice-on-bob-bytes"))
    analyse(theirs)

    data = exported(alice)

    rows = {row["name"]: row for row in zip_json(data, "documents/documents.json")}
    assert set(rows) == {"zqxmine.txt", "zqxnamed.txt", "zqxshared.txt"}
    assert rows["zqxmine.txt"]["group"] == "Cellule secrète"
    assert [v["number"] for v in rows["zqxmine.txt"]["versions"]] == [1, 2]
    assert rows["zqxmine.txt"]["versions"][1]["comment"] == "relu"
    assert rows["zqxshared.txt"]["created_by_you"] is False
    assert [v["number"] for v in rows["zqxshared.txt"]["versions"]] == [2]  # hers only
    files = [name for name in zip_names(data) if name.startswith("documents/files/")]
    assert len(files) == 4
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        contents = {archive.read(name) for name in files}
    assert contents == {
        b"alice-own-bytes",
        b"alice-second-bytes",
        b"alice-named-bytes",
        b"alice-on-bob-bytes",
    }
    text = data.decode("latin-1")
    for words in ("zqxhidden", "zqxfolder", "zqxbob", "bob-own-bytes", "bob-shared-bytes"):
        assert words not in text
    assert in_folder.pk not in {row["id"] for row in rows.values()}


def test_export_of_a_deactivated_agent_keeps_their_uploads(secret, alice, bob, staff, upload):
    upload(alice, secret, "zqxleaver.txt", b"leaver-bytes")
    agents_deactivate(staff, [alice.pk])
    alice.refresh_from_db()
    data = exported(alice, staff)
    rows = zip_json(data, "documents/documents.json")
    assert [row["name"] for row in rows] == ["zqxleaver.txt"]


def former_agent() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Former agent")


def test_anonymised_uploader_is_shown_as_former_agent(
    secret, alice, bob, dave, staff, upload, client
):
    document = upload(alice, secret, "zqxanon.txt", b"anon-bytes")
    restricted = upload(bob, secret, "zqxnamed.txt", b"named-bytes")
    services.document_restrict(bob, restricted, restriction="named", agents=[alice, dave])
    agents_deactivate(staff, [alice.pk])
    alice.refresh_from_db()

    counts = {c["name"]: c["count"] for c in privacy.personal_data_counts(alice)}
    assert counts["documents"] == 1
    privacy.agent_anonymise(staff, alice)

    client.force_login(bob)
    html = client.get(reverse("documents:document-detail", args=[document.pk])).content.decode()
    assert former_agent() in html
    assert "Lefèvre" not in html
    assert Document.objects.filter(pk=document.pk).exists()  # the content stays
    assert not DocumentUserObjectPermission.objects.filter(user=alice).exists()
    assert DocumentUserObjectPermission.objects.filter(user=dave).exists()


@pytest.fixture
def whoosh(settings, private_index):
    settings.TRANSVERSE_SEARCH_ENGINE = "whoosh"


def found(actor, q):
    from intranet.search.selectors import Filters, search

    return {hit.obj.pk for hit in search(actor, q, Filters()).hits if hit.kind == "document"}


def test_erase_removes_the_uploads_from_pages_search_and_storage(
    whoosh, secret, alice, bob, staff, upload, client, django_capture_on_commit_callbacks
):
    gone = upload(alice, secret, "zqxerase.txt", b"zqxerasebody alice only")
    shared = upload(alice, secret, "zqxshared.txt", b"the same bytes twice")
    upload(bob, secret, "zqxbobcopy.txt", b"the same bytes twice")  # one stored content
    kept = upload(alice, secret, "zqxkept.txt", b"alice first version")
    services.document_version_add(bob, kept, upload=file_of("kept.txt", b"zqxbobversion text"))
    analyse(kept)
    index_now()
    assert found(bob, "zqxerase") == {gone.pk}
    gone_file = gone.current_version.blob.file.name
    shared_file = shared.current_version.blob.file.name
    alice_first = kept.versions.get(number=1).blob.file.name
    storage = documents_storage()
    assert storage.exists(gone_file)
    agents_deactivate(staff, [alice.pk])
    alice.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        privacy.agent_erase(staff, alice, reason="Demande RGPD n° 12")
    index_now()

    assert not Document.objects.filter(pk__in=[gone.pk, shared.pk]).exists()
    assert not storage.exists(gone_file)
    assert not storage.exists(alice_first)
    assert storage.exists(shared_file)  # bob's copy uses the same content
    assert Blob.objects.filter(sha256=hashlib.sha256(b"the same bytes twice").hexdigest()).exists()
    assert found(bob, "zqxerase") == set()
    assert found(bob, "zqxbobversion") == {kept.pk}
    kept.refresh_from_db()
    assert list(kept.versions.values_list("number", flat=True)) == [2]
    assert kept.current_version.number == 2
    assert not DocumentVersion.objects.filter(author=alice).exists()
    client.force_login(bob)
    assert client.get(reverse("documents:document-detail", args=[gone.pk])).status_code == 404
    response = client.get(reverse("documents:document-detail", args=[kept.pk]))
    assert response.status_code == 200
