"""The export's zip: JSON arrays and files streamed in, saved whole or not at all.

Rows are written one by one into the zip entry (a JSON array), files are copied by
chunks: memory stays flat whatever the agent wrote. The zip is built in a hidden
temporary file beside the private storage's files, then saved through the storage API
(AtomicFileSystemStorage: the name appears only once complete); a full disk removes both
temporaries and raises StorageFull.
"""

import os
import tempfile
import zipfile

from django.core.files import File
from django.core.files.storage import storages
from django.core.serializers.json import DjangoJSONEncoder

from intranet.core.storage import TEMPORARY_PREFIX, StorageFull

CHUNK = 256 * 1024


def private_storage():
    """Where exports live: never under MEDIA_URL, served only by the download view."""
    return storages["private"]


class ExportArchive:
    """What providers write into (intranet.accounts.personal_data.Archive)."""

    def __init__(self, zip_file: zipfile.ZipFile, folder: str = ""):
        self._zip = zip_file
        self.folder = folder
        self._encoder = DjangoJSONEncoder(ensure_ascii=False, indent=None)

    def within(self, folder: str) -> "ExportArchive":
        return ExportArchive(self._zip, folder)

    def _name(self, name: str) -> str:
        name = name.replace("\\", "/").lstrip("/")
        parts = [p for p in name.split("/") if p not in {"", ".", ".."}]
        return "/".join([self.folder, *parts] if self.folder else parts)

    def write_json(self, name: str, rows) -> int:
        """Stream rows (dicts) into name as a JSON array; returns how many."""
        count = 0
        with self._zip.open(self._name(name), "w", force_zip64=True) as entry:
            entry.write(b"[")
            for row in rows:
                entry.write((b",\n" if count else b"\n") + self._encoder.encode(row).encode())
                count += 1
            entry.write(b"\n]\n")
        return count

    def write_file(self, name: str, field_file) -> bool:
        """Copy a stored file into the zip by chunks; False when it is missing."""
        try:
            source = field_file.storage.open(field_file.name, "rb")
        except (FileNotFoundError, ValueError):
            return False
        with source, self._zip.open(self._name(name), "w", force_zip64=True) as entry:
            while chunk := source.read(CHUNK):
                entry.write(chunk)
        return True


def build_zip(name: str, write) -> tuple[str, int]:
    """Build a zip with write(archive), save it under name; (stored name, size)."""
    storage = private_storage()
    directory = storage.path(os.path.dirname(name) or ".")
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise _full(exc) from exc
    with tempfile.NamedTemporaryFile(dir=directory, prefix=TEMPORARY_PREFIX) as temporary:
        try:
            with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as zip_file:
                zip_file.writestr("README.txt", _readme())
                write(ExportArchive(zip_file))
            temporary.flush()
            size = temporary.tell()
        except OSError as exc:
            raise _full(exc) from exc
        temporary.seek(0)
        stored = storage.save(name, File(temporary))
    return stored, size


def _full(exc: OSError) -> OSError:
    from intranet.core.storage import FULL_ERRNOS

    if exc.errno in FULL_ERRNOS and not isinstance(exc, StorageFull):
        return StorageFull(exc.errno, os.strerror(exc.errno), exc.filename)
    return exc


def _readme() -> str:
    from django.utils.translation import gettext as _

    return (
        _(
            "Your personal data, as Transverse holds it. Each folder is one part of the site; "
            "each .json file is a list of records, each file is a copy of what you uploaded."
        )
        + "\n"
    )
