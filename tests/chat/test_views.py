"""Chat pages over HTTP: the send view (idempotency shared with the socket) and the
attachment upload and download views, with hostile inputs. Never a 500, never a file
served inline unless it is a decoded image, never an existence oracle."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from intranet.chat import services
from intranet.chat.models import Message
from intranet.groups import services as group_services
from realtime import actions

JSON = {"HTTP_ACCEPT": "application/json"}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def post_send(client, room, **data):
    data.setdefault("key", "http-key-0001")
    return client.post(reverse("chat:message-send", args=[room.pk]), data, **JSON)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_same_key_over_websocket_then_http_is_one_message(room, alice, alice_client):
    frame = {"conversation": room.pk, "body": "Bonjour", "key": "shared-key-01"}
    ack, _pending = actions.send(alice.pk, frame)
    response = post_send(alice_client, room, body="Bonjour", key="shared-key-01")
    answer = response.json()
    assert response.status_code == 200 and answer["created"] is False
    assert answer["message"]["id"] == ack["message"]["id"]
    assert Message.objects.count() == 1


def test_http_send_stores_and_answers_json(room, alice_client):
    response = post_send(alice_client, room, body="**gras**")
    answer = response.json()
    assert (
        answer["created"]
        and answer["stored"]
        and "<strong>gras</strong>" in answer["message"]["html"]
    )


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"body": "", "key": "k-000000001"}, "empty"),
        ({"body": "x" * 10_001, "key": "k-000000001"}, "message_too_long"),
        ({"body": "ok", "key": ""}, "invalid"),
        ({"body": "ok", "key": "a b c d e f g h"}, "bad_key"),
        ({"body": "ok", "key": "k" * 65}, "invalid"),
        ({"body": "ok", "key": "k-000000001", "parent": "abc"}, "invalid"),
        ({"body": "ok", "key": "k-000000001", "parent": "-5"}, "invalid"),
        ({"body": "ok", "key": "k-000000001", "parent": str(2**70)}, "bad_parent"),
        ({"body": "ok", "key": "k-000000001", "parent": "999999"}, "bad_parent"),
        ({"body": "\x00nul", "key": "k-000000002"}, "invalid"),
        (
            {"body": "<script>alert(1)</script><img src=x onerror=alert(2)>", "key": "k-00000003"},
            None,
        ),
    ],
)
def test_hostile_http_sends_get_a_clear_error_never_a_500(room, alice_client, data, code):
    response = alice_client.post(reverse("chat:message-send", args=[room.pk]), data, **JSON)
    assert response.status_code in (200, 400), response.content
    answer = response.json()
    if code is None:
        assert "<script>" not in answer["message"]["html"]
        assert "<img" not in answer["message"]["html"]  # shown as text, escaped
    else:
        assert response.status_code == 400 and answer["error"]["message"]
        assert answer["error"]["code"] == code


def test_outsider_and_former_member_get_404_on_send(room, budget, alice, bob, client, carol):
    client.force_login(carol)
    assert post_send(client, room, body="intrus").status_code == 404
    group_services.group_member_remove(bob, budget, alice)
    client.force_login(alice)
    assert post_send(client, room, body="partie").status_code == 404
    assert (
        client.post(reverse("chat:message-send", args=[987654]), {"body": "x"}).status_code == 404
    )
    assert not Message.objects.exists()


def test_send_view_refuses_get(room, alice_client):
    assert alice_client.get(reverse("chat:message-send", args=[room.pk])).status_code == 405


def attach(
    client, room, name, content, content_type="application/octet-stream", key="file-0001", **extra
):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        reverse("chat:message-send", args=[room.pk]),
        {"body": "", "key": key, "attachment": upload, **extra},
        **JSON,
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.png", b"<html><script>alert(1)</script></html>", "image/png"),
        (
            "dessin.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/svg+xml",
        ),
        ("page.html", b"<!doctype html><script>alert(1)</script>", "text/html"),
        ("note.txt", b"\xff\xfe\x00invalid utf-8 \xc3\x28", "text/plain"),
        ("rapport.docx", b"PK\x03\x04 not really a zip", "application/zip"),
        ("vide.pdf", b"", "application/pdf"),
    ],
)
def test_disallowed_attachments_are_refused(room, alice_client, name, content, content_type):
    response = attach(alice_client, room, name, content, content_type)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"]
    assert not Message.objects.exists()


def test_oversized_attachment_is_refused(room, alice_client, settings):
    settings.TRANSVERSE_CHAT_MAX_ATTACHMENT_BYTES = 100
    response = attach(alice_client, room, "gros.pdf", b"%PDF-1.4\n" + b"0" * 200)
    assert response.status_code == 400 and response.json()["error"]["code"] == "too_large"


def test_path_in_a_filename_is_only_shown_never_used(room, alice_client):
    response = attach(alice_client, room, '../../etc/"<b>passwd</b>.pdf', b"%PDF-1.4\n%%EOF")
    message = Message.objects.get(pk=response.json()["message"]["id"])
    assert message.attachment_name == "bpasswd/b.pdf" or "/" not in message.attachment_name
    assert "<" not in message.attachment_name and ".." not in message.attachment.name
    assert message.attachment.name.startswith("chat/")


def test_pdf_is_downloaded_as_an_attachment_with_a_sandbox(room, alice_client, bob, client):
    response = attach(alice_client, room, "compte-rendu.pdf", b"%PDF-1.4\n%%EOF")
    url = response.json()["message"]["attachment"]["url"]
    client.force_login(bob)
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert b"".join(download.streaming_content) == b"%PDF-1.4\n%%EOF"


def test_decoded_image_is_shown_inline(room, alice_client):
    response = attach(
        alice_client, room, "carre.png", png_bytes(), "image/png", attachment_alt="Un carré rouge"
    )
    download = alice_client.get(response.json()["message"]["attachment"]["url"])
    assert download["Content-Type"] == "image/png"
    assert not download["Content-Disposition"].startswith("attachment")


def test_attachment_download_is_404_for_outsiders_former_members_and_tombstones(
    room, budget, alice, alice_client, bob, carol, client
):
    response = attach(alice_client, room, "compte-rendu.pdf", b"%PDF-1.4\n%%EOF")
    message_id = response.json()["message"]["id"]
    url = reverse("chat:attachment", args=[message_id])
    client.force_login(carol)
    assert client.get(url).status_code == 404
    assert client.get(reverse("chat:attachment", args=[message_id + 1000])).status_code == 404
    text_only = services.message_send(bob, room.pk, body="texte", idempotency_key="text-00001")[0]
    client.force_login(bob)
    assert client.get(reverse("chat:attachment", args=[text_only.pk])).status_code == 404
    stored = Message.objects.get(pk=message_id).attachment.name
    services.message_delete(alice, message_id)
    assert alice_client.get(url).status_code == 404
    group_services.group_member_remove(bob, budget, alice)
    assert alice_client.get(url).status_code == 404
    assert stored and json.dumps(stored)  # the file name was generated


def test_retry_with_an_attachment_stores_one_file(room, alice_client):
    first = attach(alice_client, room, "a.pdf", b"%PDF-1.4\n%%EOF", key="file-retry-1")
    again = attach(alice_client, room, "a.pdf", b"%PDF-1.4\n%%EOF", key="file-retry-1")
    assert first.json()["message"]["id"] == again.json()["message"]["id"]
    assert again.json()["created"] is False
    _dirs, files = default_storage.listdir("chat")
    assert len(files) == 1


# --- An image's text alternative -------------------------------------------------------


def test_an_image_without_description_is_refused_unless_decorative(room, alice_client):
    refused = attach(alice_client, room, "carre.png", png_bytes(), "image/png")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "alt_required"
    assert error["message"] in {  # French once the catalogue has it
        "Décrivez l’image pour qui ne peut pas la voir, ou indiquez qu’elle est décorative.",
        "Describe the image for those who cannot see it, or mark it as decorative.",
    }
    assert not Message.objects.exists()
    decorative = attach(
        alice_client, room, "carre.png", png_bytes(), "image/png", attachment_decorative="on"
    )
    assert decorative.status_code == 200
    attachment = decorative.json()["message"]["attachment"]
    assert (attachment["alt"], attachment["decorative"]) == ("", True)


def test_a_file_that_is_not_an_image_needs_no_description(room, alice_client):
    response = attach(alice_client, room, "compte-rendu.pdf", b"%PDF-1.4\n%%EOF")
    assert response.status_code == 200
    assert response.json()["message"]["attachment"]["alt"] == ""


def test_the_description_is_the_image_alt_text_on_the_page_escaped(room, alice_client):
    hostile = '"><script>alert(1)</script> <img src=x onerror=alert(2)>'
    attach(alice_client, room, "carre.png", png_bytes(), "image/png", attachment_alt=hostile)
    message = Message.objects.get()
    assert message.attachment_alt == hostile
    page = alice_client.get(reverse("chat:conversation-detail", args=[room.pk])).content.decode()
    assert 'alt="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x' in page
    assert "<script>alert(1)" not in page and "onerror=alert(2)>" not in page


def test_a_huge_description_is_refused_without_a_500(room, alice_client):
    response = attach(
        alice_client, room, "carre.png", png_bytes(), "image/png", attachment_alt="a" * 100_000
    )
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_the_service_refuses_a_huge_description_and_keeps_a_hostile_one_as_text(room, alice):
    def image(key, **alt):
        upload = SimpleUploadedFile("carre.png", png_bytes(), content_type="image/png")
        return services.message_send(
            alice, room.pk, body="", idempotency_key=key, attachment=upload, **alt
        )[0]

    with pytest.raises(ValidationError) as refused:
        image("alt-huge-01", attachment_alt="é" * 501)
    assert refused.value.code == "alt_too_long"
    with pytest.raises(ValidationError) as blank:
        image("alt-blank-1", attachment_alt=" \n\t ")
    assert blank.value.code == "alt_required"
    kept = image("alt-kept-01", attachment_alt="  <b>Graphique</b>\n des   dépenses ")
    assert kept.attachment_alt == "<b>Graphique</b> des dépenses"
    decorative = image("alt-deco-01", attachment_alt="ignoré", attachment_decorative=True)
    assert (decorative.attachment_alt, decorative.attachment_decorative) == ("", True)
    services.message_delete(alice, kept.pk)
    kept.refresh_from_db()
    assert kept.attachment_alt == ""
