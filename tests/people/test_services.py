"""Profile writes: directory-owned fields stay untouched, photos are safe."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from intranet.people import services
from tests.factories import UserFactory


def png_upload(name="photo.png", size=(800, 600), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_profile_update_leaves_directory_fields_alone(alice):
    alice.directory_fields = ["title", "phone"]
    alice.save()
    services.profile_update(alice, alice, title="Pirate", phone="06", office="B 204", about="Hi")
    alice.refresh_from_db()
    assert (alice.title, alice.phone) == ("", "")
    assert (alice.office, alice.about) == ("B 204", "Hi")


def test_profile_update_renames_and_refreshes_sort_name(alice):
    services.profile_update(alice, alice, first_name="Élise", last_name="Œuvrard")
    alice.refresh_from_db()
    assert alice.sort_name.startswith("oeuvrard elise")


def test_agent_cannot_update_someone_elses_profile(alice, carol):
    with pytest.raises(PermissionDenied):
        services.profile_update(alice, carol, about="hacked")


def test_former_agent_cannot_write(former):
    with pytest.raises(Http404):
        services.profile_update(former, former, about="still here?")


def test_photo_is_cropped_to_a_square_jpeg_under_a_generated_name(alice):
    alice = services.profile_photo_set(alice, alice, upload=png_upload("../../etc/passwd.png"))
    assert alice.photo.name.startswith("photos/") and alice.photo.name.endswith(".jpg")
    assert "passwd" not in alice.photo.name
    with default_storage.open(alice.photo.name) as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and image.size == (400, 400)


def test_replacing_a_photo_deletes_the_old_file(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alice = services.profile_photo_set(alice, alice, upload=png_upload())
    old = alice.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        alice = services.profile_photo_set(alice, alice, upload=png_upload(color=(0, 0, 255)))
    assert old and alice.photo.name != old
    assert not default_storage.exists(old)
    assert default_storage.exists(alice.photo.name)


def test_photo_owned_by_directory_cannot_be_replaced(alice):
    alice.directory_fields = ["photo"]
    alice.save()
    with pytest.raises(PermissionDenied):
        services.profile_photo_set(alice, alice, upload=png_upload())


def test_removing_a_photo(alice, django_capture_on_commit_callbacks):
    name = services.profile_photo_set(alice, alice, upload=png_upload()).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_photo_remove(alice, alice)
    alice.refresh_from_db()
    assert not alice.photo and not default_storage.exists(name)


def test_failed_row_write_leaves_no_orphan_file(alice, monkeypatch):
    before = (
        set(default_storage.listdir("photos")[1]) if default_storage.exists("photos") else set()
    )

    def broken_save(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(type(alice), "save", broken_save)
    with pytest.raises(RuntimeError):
        services.profile_photo_set(alice, alice, upload=png_upload())
    after = set(default_storage.listdir("photos")[1])
    assert after == before


def test_many_agents_same_name_get_distinct_accounts(db):
    a = UserFactory(username="jdupont", first_name="Jean", last_name="Dupont")
    b = UserFactory(username="jdupont2", first_name="Jean", last_name="Dupont")
    assert a.sort_name != b.sort_name
