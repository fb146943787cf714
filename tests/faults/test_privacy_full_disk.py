"""A data export onto a full disk: no half-written zip, a failed export, the next one works.

The private storage is a 1 MiB tmpfs mounted by the test (root only: skipped with the
reason elsewhere); the agent's 300 KiB picture cannot be copied into the zip once the
disk is nearly full, so the build fails in the middle of its write. Building takes twice
the zip's size for a moment (the zip being built, then the storage's temporary copy).
"""

import os
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intranet.chat import services as chat_services
from intranet.core.storage import StorageFull
from intranet.privacy import services
from intranet.privacy.models import DataExport
from tests.faults.test_full_disk import FILLER, files_under, noise_jpeg

pytestmark = pytest.mark.faults


@pytest.fixture
def small_private_disk(tmp_path, settings):
    mount_point = tmp_path / "private"
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
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            **settings.STORAGES["private"],
            "OPTIONS": {"location": str(mount_point), "base_url": "/nowhere/"},
        },
    }

    def leave_free(free_bytes: int) -> None:
        filler = mount_point / FILLER
        filler.unlink(missing_ok=True)
        with open(filler, "wb", buffering=0) as file:
            try:
                while True:
                    file.write(b"\0" * 4096)
            except OSError:
                pass
        os.truncate(filler, max(0, filler.stat().st_size - free_bytes))

    yield mount_point, leave_free
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_full_disk_leaves_no_half_written_export(small_private_disk, alice, bob):
    mount_point, leave_free = small_private_disk
    conversation = chat_services.conversation_named_create(alice, name="Gros", agents=[bob])
    upload = SimpleUploadedFile("noise.png", noise_jpeg(320), content_type="image/png")
    chat_services.message_send(
        alice,
        conversation.pk,
        body="big",
        idempotency_key="noise-0001",
        attachment=upload,
        attachment_decorative=True,
    )
    leave_free(150 * 1024)
    export = services.export_request(alice)

    with pytest.raises(StorageFull):
        services.export_build(export.pk)

    assert files_under(mount_point) == []  # neither the temporary nor a truncated zip
    assert DataExport.objects.get(pk=export.pk).status == DataExport.Status.FAILED
    (mount_point / FILLER).unlink()
    again = services.export_build(services.export_request(alice).pk)
    assert again.status == DataExport.Status.READY
    assert files_under(mount_point) == [again.file_name]
