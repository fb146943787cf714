"""The library's pages and file responses: uploads over HTTP, headers, previews, counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from intranet.documents import services
from intranet.documents.models import Blob, Document, Folder
from tests.documents.conftest import PDF, png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def alice_in(client, alice, budget, settings):
    """alice signed in, her pages in English (messages stated exactly)."""
    client.force_login(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def post_files(client, group, *files, **extra):
    return client.post(
        f"/groups/{group.slug}/documents/upload/",
        {"files": list(files), "folder": ""},
        **extra,
    )


def test_plain_form_uploads_several_files(alice_in, budget):
    response = post_files(
        alice_in, budget, SimpleUploadedFile("a.txt", b"un"), SimpleUploadedFile("b.pdf", PDF)
    )
    assert response.status_code == 302
    assert sorted(Document.objects.values_list("name", flat=True)) == ["a.txt", "b.pdf"]


def test_script_upload_answers_json(alice_in, budget):
    response = post_files(
        alice_in, budget, SimpleUploadedFile("a.txt", b"un"), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    (created,) = response.json()["documents"]
    assert created["name"] == "a.txt" and created["url"] == f"/documents/{created['id']}/"


def test_html_disguised_as_pdf_is_refused_over_http(alice_in, budget):
    response = post_files(
        alice_in,
        budget,
        SimpleUploadedFile("facture.pdf", b"<!DOCTYPE html><script>alert(1)</script>"),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "facture.pdf"
    assert not Document.objects.exists() and not Blob.objects.exists()


def test_announced_over_size_is_refused_before_the_body(alice_in, budget, settings):
    settings.TRANSVERSE_DOCUMENT_MAX_BYTES = 1024
    response = alice_in.generic(
        "POST",
        f"/groups/{budget.slug}/documents/upload/",
        b"",
        content_type="multipart/form-data; boundary=x",
        HTTP_ACCEPT="application/json",
        HTTP_X_UPLOAD_FILES="1",
        CONTENT_LENGTH=str(500 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "The file is too large; the limit is 1.0\xa0KB."


def test_over_size_file_in_a_form_is_dropped_with_a_message(alice_in, budget, settings):
    settings.TRANSVERSE_DOCUMENT_MAX_BYTES = 1024
    response = post_files(
        alice_in,
        budget,
        SimpleUploadedFile("big.txt", b"x" * 5000),
        SimpleUploadedFile("small.txt", b"petit"),
        HTTP_ACCEPT="application/json",
    )
    body = response.json()
    assert [d["name"] for d in body["documents"]] == ["small.txt"]
    assert body["errors"] == [
        {"name": "big.txt", "message": "The file is too large; the limit is 1.0\xa0KB."}
    ]


def test_outsider_cannot_upload(client, carol, budget):
    client.force_login(carol)
    assert post_files(client, budget, SimpleUploadedFile("a.txt", b"x")).status_code == 404


def test_attachment_headers_for_an_accented_name(alice_in, alice, budget, upload):
    document = upload(alice, budget, "Résumé final.md", b"# Titre\n\ntexte")
    response = alice_in.get(f"/documents/{document.pk}/file/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''R%C3%A9sum%C3%A9%20final.md"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_pdf_is_inline_and_framed_only_by_the_site(alice_in, alice, budget, upload):
    document = upload(alice, budget, "note.pdf", PDF)
    response = alice_in.get(f"/documents/{document.pk}/file/")
    assert response["Content-Disposition"] == 'inline; filename="note.pdf"'
    assert "sandbox" in response["Content-Security-Policy"]
    framed = alice_in.get(f"/documents/{document.pk}/preview/")
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    forced = alice_in.get(f"/documents/{document.pk}/file/?download=1")
    assert forced["Content-Disposition"] == 'attachment; filename="note.pdf"'


def test_x_accel_redirect_hands_the_file_to_nginx(alice_in, alice, budget, upload, settings):
    document = upload(alice, budget, "note.txt", b"texte")
    settings.TRANSVERSE_DOCUMENT_X_ACCEL = "/_documents/"
    response = alice_in.get(f"/documents/{document.pk}/file/")
    blob_name = document.current_version.blob.file.name
    assert response["X-Accel-Redirect"] == f"/_documents/{blob_name}"
    assert response.content == b""
    assert response["X-Content-Type-Options"] == "nosniff"


def test_image_preview_is_a_re_encoded_jpeg(alice_in, alice, budget, upload):
    document = upload(alice, budget, "photo.png", png_bytes())
    response = alice_in.get(f"/documents/{document.pk}/preview/")
    assert response["Content-Type"] == "image/jpeg"
    assert response.content.startswith(b"\xff\xd8")
    page = alice_in.get(f"/documents/{document.pk}/").content.decode()
    assert f'src="/documents/{document.pk}/preview/"' in page


def test_markdown_preview_goes_through_the_renderer(alice_in, alice, budget, upload):
    document = upload(alice, budget, "lisez.md", b"# Titre\n\nDu **gras** ici.")
    page = alice_in.get(f"/documents/{document.pk}/").content.decode()
    assert "<h1>Titre</h1>" in page and "<strong>gras</strong>" in page


def test_trash_page_for_animators_only(client, alice, bob, budget, upload):
    document = upload(alice, budget, "a.txt", b"x")
    services.document_delete(alice, document)
    client.force_login(alice)
    assert client.get(f"/groups/{budget.slug}/documents/trash/").status_code == 404
    client.force_login(bob)
    page = client.get(f"/groups/{budget.slug}/documents/trash/")
    assert page.status_code == 200 and "a.txt" in page.content.decode()
    response = client.post(f"/documents/{document.pk}/restore/")
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.deleted_at is None


def test_group_page_links_to_the_library(alice_in, budget):
    page = alice_in.get(f"/groups/{budget.slug}/").content.decode()
    assert f'href="/groups/{budget.slug}/documents/"' in page


def test_usage_shown_to_animators_only(client, alice, bob, budget, upload):
    upload(alice, budget, "a.txt", b"12345")
    client.force_login(bob)
    assert "library-usage" in client.get(f"/groups/{budget.slug}/documents/").content.decode()
    client.force_login(alice)
    assert "library-usage" not in client.get(f"/groups/{budget.slug}/documents/").content.decode()


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_library_page_query_count_does_not_grow(alice_in, alice, budget, upload):
    folder = services.folder_create(alice, group=budget, name="Dossier")
    url = f"/groups/{budget.slug}/documents/folders/{folder.pk}/"
    upload(alice, budget, "a.txt", b"1", folder=folder)
    _count_queries(alice_in, url)  # the first request warms the caches (branding, types)
    few = _count_queries(alice_in, url)
    for n in range(8):
        upload(alice, budget, f"doc{n}.txt", f"contenu {n}".encode(), folder=folder)
        services.folder_create(alice, group=budget, parent=folder, name=f"Sous {n}")
    assert _count_queries(alice_in, url) == few


def test_hostile_ids_answer_404(alice_in):
    for url in ["/documents/0/", "/documents/99999999999999999999/file/"]:
        assert alice_in.get(url).status_code == 404


def test_a_document_comes_back_alone_out_of_a_trashed_folder(client, alice, bob, budget, upload):
    folder = services.folder_create(alice, group=budget, name="Archives")
    document = upload(alice, budget, "note.txt", b"x", folder=folder)
    upload(alice, budget, "note.txt", b"y")  # the root already has a note.txt
    services.folder_delete(alice, folder)
    client.force_login(alice)  # a member, no animator: the trash is not theirs
    assert client.post(f"/documents/{document.pk}/restore/").status_code == 404
    client.force_login(bob)
    trash = client.get(f"/groups/{budget.slug}/documents/trash/").content.decode()
    assert f'action="/documents/{document.pk}/restore/"' in trash
    with translation.override("en"):
        response = client.post(
            f"/documents/{document.pk}/restore/", follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert "restored to the library’s root" in response.content.decode()
    document.refresh_from_db()
    assert (document.folder_id, document.deleted_at, document.name) == (None, None, "note (2).txt")
    assert Folder.objects.get(pk=folder.pk).deleted_at is not None  # the folder stays
    client.force_login(alice)
    assert client.get(f"/documents/{document.pk}/").status_code == 200
