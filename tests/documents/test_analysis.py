"""After upload: the scan and the text extraction move a version to ready or suspicious,
and what the document page shows of it (office text, suspicious files hidden)."""

import shutil
import tempfile
from pathlib import Path

import pytest
from django.test import Client

from intranet.documents import services
from intranet.documents.access import visible_documents
from intranet.documents.tasks import version_analyse
from tests.documents import samples
from tests.documents.clamd_server import EICAR, SIGNATURE, ClamdServer
from tests.documents.conftest import file_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def clamd(settings):
    """A clamd-protocol server flagging EICAR, configured as the scanner."""
    folder = Path(tempfile.mkdtemp(prefix="clamd-", dir="/tmp"))
    server = ClamdServer(unix_path=str(folder / "clamd.sock"))
    settings.TRANSVERSE_CLAMD_SOCKET = server.unix_path
    settings.TRANSVERSE_CLAMD_TIMEOUT = 5
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def test_infected_upload_is_suspicious_and_seen_only_by_uploader_and_animators(
    clamd, budget, alice, bob, dave
):
    from tests.factories import MembershipFactory

    MembershipFactory(group=budget, agent=dave)
    document = services.document_upload(
        alice, group=budget, upload=file_of("note.txt", b"texte " + EICAR)
    )
    assert version_analyse.call(document.versions.get().pk) == "suspicious"
    document.refresh_from_db()
    version = document.versions.get()
    assert (document.state, version.state, version.scan_signature) == (
        "suspicious",
        "suspicious",
        SIGNATURE,
    )
    assert document.current_version is None
    assert document in visible_documents(alice) and document in visible_documents(bob)
    assert document not in visible_documents(dave)
    client = Client()
    client.force_login(dave)
    assert client.get(f"/documents/{document.pk}/").status_code == 404
    client.force_login(alice)
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert client.get(f"/documents/{document.pk}/versions/1/file/").status_code == 404


def test_clean_upload_is_scanned_then_ready(clamd, budget, alice):
    document = services.document_upload(alice, group=budget, upload=file_of("a.txt", b"propre"))
    assert version_analyse.call(document.versions.get().pk) == "ready"
    assert clamd.received == [len(b"propre")]


def test_scanner_away_leaves_the_version_pending(settings, budget, alice, tmp_path):
    settings.TRANSVERSE_CLAMD_SOCKET = str(tmp_path / "absent.sock")
    settings.TRANSVERSE_CLAMD_TIMEOUT = 1
    document = services.document_upload(alice, group=budget, upload=file_of("a.txt", b"x"))
    assert version_analyse.call(document.versions.get().pk) == "scan-error"
    assert document.versions.get().state == "pending"


def test_office_document_is_previewed_as_its_extracted_text(budget, alice, upload):
    document = upload(
        alice, budget, "compte-rendu.docx", samples.docx_bytes(["Réunion budgétaire"])
    )
    version = document.current_version
    assert (version.extraction, "Réunion budgétaire" in version.extracted_text) == ("ok", True)
    client = Client()
    client.force_login(alice)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    assert "Réunion budgétaire" in page
    assert f"/documents/{document.pk}/file/?download=1" in page


def test_unreadable_office_file_says_text_not_extractable(budget, alice, upload, english):
    document = upload(alice, budget, "bombe.docx", samples.billion_laughs_docx())
    assert document.current_version.extraction == "failed"
    client = Client()
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    assert "Text not extractable." in client.get(f"/documents/{document.pk}/").content.decode()
