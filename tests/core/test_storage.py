"""The upload storage: group-only modes, no file replaced, nothing left by a failed write."""

import os

import pytest
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage

from intranet.core.storage import TEMPORARY_PREFIX, AtomicFileSystemStorage


def test_site_stores_uploads_with_the_atomic_storage():
    assert isinstance(default_storage, AtomicFileSystemStorage)


def test_files_and_folders_are_for_the_group_only_whatever_the_umask(settings):
    old_umask = os.umask(0o002)
    try:
        name = default_storage.save("photos/moi.jpg", ContentFile(b"jpeg"))
    finally:
        os.umask(old_umask)
    path = default_storage.path(name)
    assert oct(os.stat(path).st_mode & 0o777) == "0o640"
    assert oct(os.stat(os.path.dirname(path)).st_mode & 0o777) == "0o750"


def test_a_taken_name_gets_another_and_the_first_file_stays():
    first = default_storage.save("chat/same", ContentFile(b"first"))
    second = default_storage.save("chat/same", ContentFile(b"second"))
    assert first != second
    with default_storage.open(first) as file:
        assert file.read() == b"first"
    with default_storage.open(second) as file:
        assert file.read() == b"second"


class BrokenUpload(File):
    """An upload whose stream fails after its first chunk, as a dropped client does."""

    def __init__(self):
        super().__init__(None, name="broken.pdf")
        self.size = 2

    def chunks(self, chunk_size=None):
        yield b"%PDF-"
        raise OSError("the client went away")


def test_a_write_that_fails_midway_leaves_no_file(settings):
    with pytest.raises(OSError, match="went away"):
        default_storage.save("chat/broken", BrokenUpload())
    left = [name for _dir, _sub, names in os.walk(settings.MEDIA_ROOT) for name in names]
    assert left == []
    assert not any(name.startswith(TEMPORARY_PREFIX) for name in left)
