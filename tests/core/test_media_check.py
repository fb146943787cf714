"""media_check: files no row points to are reported, and deleted with --clean once old."""

import io
import os
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from intranet.stream.services import posts
from tests.people.test_services import png_upload


def run(*args) -> str:
    out = io.StringIO()
    call_command("media_check", *args, stdout=out)
    return out.getvalue()


def aged(name: str, minutes: int = 120) -> str:
    path = default_storage.path(name)
    past = time.time() - minutes * 60
    os.utime(path, (past, past))
    return path


def test_orphans_and_leftovers_are_reported_then_cleaned(alice, settings):
    post = posts.post_create(
        alice, body="Photo", visibility="organisation", image=png_upload(), image_decorative=True
    )
    kept = default_storage.path(post.image.name)
    aged(post.image.name)
    partial = aged(default_storage.save("posts/partial.jpg", ContentFile(b"")))
    orphan = aged(default_storage.save("chat/orphan", ContentFile(b"x" * 900)))
    temporary = settings.MEDIA_ROOT / "chat" / ".upload-0123456789abcdef"
    temporary.write_bytes(b"half")
    os.utime(temporary, (time.time() - 7200, time.time() - 7200))
    young = default_storage.path(default_storage.save("chat/in-progress", ContentFile(b"y")))

    report = run()
    assert "orphans: 3" in report and "of which 1 interrupted writes" in report
    assert "left alone: 1" in report and "missing: 0" in report
    assert all(os.path.exists(p) for p in (kept, partial, orphan, temporary, young))

    report = run("--clean")
    assert "deleted 3 files" in report
    assert os.path.exists(kept) and os.path.exists(young)
    assert not any(os.path.exists(p) for p in (partial, orphan, temporary))
    assert "orphans: 0" in run()


def test_rows_whose_file_is_gone_are_reported(alice):
    post = posts.post_create(
        alice, body="Photo", visibility="organisation", image=png_upload(), image_decorative=True
    )
    os.unlink(default_storage.path(post.image.name))
    report = run("--clean")
    assert "missing: 1" in report and post.image.name in report
