"""Uploads onto a full disk: a clear 507, no row, no file, and the next upload works.

The media directory is a 1 MiB tmpfs mounted by the test (root only: skipped with the
reason elsewhere), filled with one file until a chosen number of bytes is left, so an
upload fails in the middle of its write, the way a disk fills in production.
"""

import html
import io
import os
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from intranet.chat.models import Message
from intranet.core.storage import storage_full_message
from intranet.stream.models import Post
from tests.people.test_views import edit_data

pytestmark = pytest.mark.faults

FILLER = "filler.bin"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def small_disk(tmp_path, settings):
    """MEDIA_ROOT on a 1 MiB tmpfs of the test's own; yields a function leaving n bytes free."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; this fault test runs as root in CI")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    settings.MEDIA_ROOT = mount_point
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(mount_point)}},
    }

    def leave_free(free_bytes: int) -> None:
        filler = mount_point / FILLER
        filler.unlink(missing_ok=True)
        with open(filler, "wb", buffering=0) as file:
            try:
                while True:
                    file.write(b"\0" * 4096)
            except OSError:
                pass  # full
        size = filler.stat().st_size
        os.truncate(filler, max(0, size - free_bytes))

    yield leave_free
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def files_under(root) -> list[str]:
    """Every file under root but the filler: what an upload left behind."""
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _dirs, names in os.walk(root)
        for name in names
        if name != FILLER
    )


def noise_jpeg(side: int) -> bytes:
    """A photo-like image whose JPEG stays large after our re-encoding."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size) + b"\n%%EOF\n"


def expected_message() -> str:
    with translation.override("fr"):
        return str(storage_full_message())


def test_chat_attachment_on_a_full_disk_is_507_and_leaves_nothing(
    room, alice, client, small_disk, settings
):
    client.force_login(alice)
    url = reverse("chat:message-send", args=[room.pk])
    small_disk(64 * 1024)  # less than the file: the write stops in the middle
    upload = SimpleUploadedFile("rapport.pdf", pdf(300_000), content_type="application/pdf")
    response = client.post(url, {"body": "", "key": "full-0001", "attachment": upload}, **JSON)
    assert response.status_code == 507
    assert response.json()["error"] == {"code": "storage_full", "message": expected_message()}
    assert not Message.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []

    # A fetch call of the pages' own scripts (no Accept header set) gets JSON too.
    upload = SimpleUploadedFile("rapport.pdf", pdf(300_000), content_type="application/pdf")
    data = {"body": "", "key": "full-0004", "attachment": upload}
    response = client.post(url, data, HTTP_SEC_FETCH_MODE="cors")
    assert response.status_code == 507 and response.json()["error"]["code"] == "storage_full"

    # The same page posted by the browser without JavaScript gets a page saying it.
    upload = SimpleUploadedFile("rapport.pdf", pdf(300_000), content_type="application/pdf")
    response = client.post(url, {"body": "", "key": "full-0002", "attachment": upload})
    assert response.status_code == 507
    assert expected_message() in html.unescape(response.content.decode())
    assert not Message.objects.exists() and files_under(settings.MEDIA_ROOT) == []

    small_disk(900 * 1024)  # space freed: the next upload goes through
    upload = SimpleUploadedFile("rapport.pdf", pdf(300_000), content_type="application/pdf")
    response = client.post(url, {"body": "", "key": "full-0003", "attachment": upload}, **JSON)
    assert response.status_code == 200, response.content
    message = Message.objects.get()
    assert files_under(settings.MEDIA_ROOT) == [message.attachment.name]
    assert os.path.getsize(message.attachment.path) == message.attachment_size


def test_post_image_on_a_full_disk_is_507_and_leaves_nothing(alice, client, small_disk, settings):
    client.force_login(alice)
    image = noise_jpeg(700)

    def publish(key):
        upload = SimpleUploadedFile("photo.png", image, content_type="image/png")
        data = {
            "body": "Avec une photo",
            "visibility": "organisation",
            "image": upload,
            "image_alt": "Un paysage de montagne",
            "idempotency_key": key,
        }
        return client.post(reverse("stream:post-create"), data)

    small_disk(32 * 1024)
    response = publish("post-full-1")
    assert response.status_code == 507
    assert expected_message() in html.unescape(response.content.decode())
    assert not Post.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []

    small_disk(900 * 1024)
    assert publish("post-full-2").status_code == 302
    post = Post.objects.get()
    assert files_under(settings.MEDIA_ROOT) == [post.image.name]


def test_profile_photo_on_a_full_disk_is_507_and_keeps_the_old_photo(
    alice, client, small_disk, settings
):
    client.force_login(alice)

    def send_photo():
        upload = SimpleUploadedFile("moi.png", noise_jpeg(600), content_type="image/png")
        return client.post(reverse("people:profile-edit", args=["alice"]), edit_data(photo=upload))

    small_disk(900 * 1024)
    assert send_photo().status_code == 302
    alice.refresh_from_db()
    old_photo = alice.photo.name
    assert files_under(settings.MEDIA_ROOT) == [old_photo]

    small_disk(16 * 1024)
    response = send_photo()
    assert response.status_code == 507
    assert expected_message() in html.unescape(response.content.decode())
    alice.refresh_from_db()
    assert alice.photo.name == old_photo
    assert files_under(settings.MEDIA_ROOT) == [old_photo]
    with open(alice.photo.path, "rb") as photo:
        Image.open(photo).verify()  # the old photo is whole


def test_directory_photo_on_a_full_disk_is_skipped_not_fatal(db, small_disk, settings):
    """The directory sync and sign-in go on: the photo is simply not stored this time."""
    from intranet.directory.services.agents import agent_photo_store

    small_disk(8 * 1024)
    assert agent_photo_store(noise_jpeg(200), "a1b2c3") == ""
    assert files_under(settings.MEDIA_ROOT) == []
    small_disk(900 * 1024)
    stored = agent_photo_store(noise_jpeg(200), "a1b2c3")
    assert stored and files_under(settings.MEDIA_ROOT) == [stored]
