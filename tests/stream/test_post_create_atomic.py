"""post_create writes everything or nothing: rows, topics, mentions, queue and image file."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from intranet.stream.models import Post
from intranet.stream.services import posts


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


def stored_files(folder="posts") -> list[str]:
    if not default_storage.exists(folder):
        return []
    return default_storage.listdir(folder)[1]


def test_a_failure_after_the_image_is_stored_leaves_no_row_and_no_file(alice, monkeypatch):
    def broken_tagging(post):
        raise RuntimeError("the tagging step failed")

    # A step after the insert fails (here the topic index): the post's rows roll back, and
    # the image stored for it must be removed with them.
    monkeypatch.setattr(posts, "tagged_post_sync", broken_tagging)
    with pytest.raises(RuntimeError):
        posts.post_create(
            alice,
            body="Compte rendu #budget",
            visibility="organisation",
            image=png_upload(),
            image_decorative=True,
        )
    assert not Post.objects.exists()
    assert stored_files() == []


def test_a_post_with_an_image_keeps_its_file(alice):
    post = posts.post_create(
        alice, body="Photo", visibility="organisation", image=png_upload(), image_decorative=True
    )
    assert stored_files() == [post.image.name.split("/")[-1]]
