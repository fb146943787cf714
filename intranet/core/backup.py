"""A whole site in one tar stream: the database, the uploaded files, the generated key.

site_backup writes the stream and site_restore reads it back into a new, empty database
and media directory (deploy/transverse-backup wraps both and adds the configuration,
retention and file modes). The members, in this order:

- manifest.json: the format, the date, the database vendor and the number of files;
- database.pgdump (pg_dump's custom format) or database.sqlite3 (SQLite's online backup
  API, consistent while the site runs); the database goes first, so a file newer than
  the dump is harmless where the opposite would be a row without its file;
- var/secret_key, when the key was generated into TRANSVERSE_VAR_DIR (no SECRET_KEY);
- media/...: every file under MEDIA_ROOT but interrupted writes;
- complete.json, last: the number of files written. A stream cut short (a full backup
  disk, a killed process) has none, and site_restore refuses it.
"""

import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from intranet.core.storage import TEMPORARY_PREFIX

FORMAT = 1
TRAILER = "complete.json"
PG_DUMP = "database.pgdump"
SQLITE_DUMP = "database.sqlite3"
SECRET_KEY_MEMBER = "var/secret_key"  # noqa: S105 (a member name, not a key)
FILE_MODE, FOLDER_MODE = 0o640, 0o750


def _database() -> dict:
    return settings.DATABASES["default"]


def _libpq_environment() -> dict:
    """pg_dump and pg_restore reach the site's database through libpq's variables."""
    database = _database()
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    if database.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = database["OPTIONS"]["sslmode"]
    return env


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise CommandError(
            f"{command[0]} is not installed (apt install postgresql-client)"
        ) from None
    if done.returncode != 0:
        raise CommandError(f"{command[0]} failed: {done.stderr.strip()}")


def dump_database(folder: Path) -> Path:
    """Write a consistent copy of the database into folder; return its path."""
    if connection.vendor == "postgresql":
        path = folder / PG_DUMP
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
        _run([*command, f"--file={path}"], _libpq_environment())
        return path
    if connection.vendor == "sqlite":
        path = folder / SQLITE_DUMP
        source = sqlite3.connect(str(_database()["NAME"]))
        target = sqlite3.connect(str(path))
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
        return path
    raise CommandError(f"no backup for the {connection.vendor} database")


def media_files(root: Path):
    """(path, name in the archive) of every file under root, interrupted writes excepted."""
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            if name.startswith(TEMPORARY_PREFIX):
                continue
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, "media/" + path.relative_to(root).as_posix()


def write_backup(stream, *, progress=None) -> dict:
    """Write the site's tar stream to stream (binary); return the manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    files = list(media_files(media_root)) if media_root.is_dir() else []
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "media_files": len(files),
    }
    with tempfile.TemporaryDirectory(prefix="transverse-backup-") as folder:
        dump = dump_database(Path(folder))
        with tarfile.open(fileobj=stream, mode="w|") as archive:
            _add_json(archive, "manifest.json", manifest)
            archive.add(dump, arcname=dump.name)
            secret_key = Path(settings.VAR_DIR) / "secret_key"
            if not os.environ.get("SECRET_KEY") and secret_key.is_file():
                archive.add(secret_key, arcname=SECRET_KEY_MEMBER)
            written = 0
            for path, name in files:
                try:
                    archive.add(path, arcname=name, recursive=False)
                except FileNotFoundError:
                    continue  # deleted since the walk (a removed photo): not part of the site
                written += 1
                if progress:
                    progress(written, len(files))
            _add_json(archive, TRAILER, {"media_files": written})
    return manifest


def _add_json(archive, name: str, data: dict) -> None:
    content = json.dumps(data, indent=2).encode()
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(content), int(timezone.now().timestamp()), 0o600
    archive.addfile(info, io.BytesIO(content))


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _check_targets(media_root: Path) -> None:
    if not _database_is_empty():
        raise CommandError(
            f"The database {_database()['NAME']} is not empty. Restore into a new, empty "
            "database (createdb), never over a site's data."
        )
    if media_root.exists() and any(media_root.iterdir()):
        raise CommandError(
            f"The media directory {media_root} is not empty. Restore into a new one."
        )


def _restore_database(path: Path, member: str) -> None:
    if member == PG_DUMP and connection.vendor == "postgresql":
        command = [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={_database()['NAME']}",
            str(path),
        ]
        connection.close()
        _run(command, _libpq_environment())
    elif member == SQLITE_DUMP and connection.vendor == "sqlite":
        connection.close()
        source = sqlite3.connect(str(path))
        target = sqlite3.connect(str(_database()["NAME"]))
        try:
            with target:
                source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        raise CommandError(
            f"This backup holds a {member} database; the site is configured for "
            f"{connection.vendor}. Restore it into the same kind of database."
        )


def _safe_media_name(name: str) -> Path | None:
    relative = Path(name).relative_to("media")
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return None
    return relative


def _extract_file(archive, member, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    source = archive.extractfile(member)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as file:
        while chunk := source.read(1024 * 1024):
            file.write(chunk)
    os.chmod(target, FILE_MODE)


def read_backup(stream, *, progress=None) -> dict:
    """Restore the site from stream (binary) into the configured, empty database and media
    directory; return the manifest."""
    media_root = Path(settings.MEDIA_ROOT)
    _check_targets(media_root)
    seen = {"manifest": None, "trailer": None, "database": False, "files": 0}
    with (
        tempfile.TemporaryDirectory(prefix="transverse-restore-") as folder,
        tarfile.open(fileobj=stream, mode="r|") as archive,
    ):
        for member in archive:
            _restore_member(archive, member, Path(folder), media_root, seen)
            if progress and member.name.startswith("media/") and seen["manifest"]:
                progress(seen["files"], seen["manifest"]["media_files"])
    if seen["manifest"] is None or not seen["database"] or seen["trailer"] is None:
        raise CommandError(
            "This backup is incomplete (cut short while it was written): restore another one."
        )
    if seen["files"] != seen["trailer"]["media_files"]:
        raise CommandError(
            f"{seen['files']} files restored, the backup lists {seen['trailer']['media_files']}"
        )
    return seen["manifest"]


def _restore_member(archive, member, folder: Path, media_root: Path, seen: dict) -> None:
    name = member.name
    if name == "manifest.json":
        try:
            manifest = json.load(archive.extractfile(member))
        except ValueError:
            manifest = None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise CommandError("This is not a Transverse backup of a known format.")
        if not isinstance(manifest.get("media_files"), int):
            raise CommandError("This backup's manifest is damaged (no file count).")
        seen["manifest"] = manifest
    elif name == TRAILER:
        try:
            seen["trailer"] = json.load(archive.extractfile(member))
        except ValueError:
            raise CommandError("This backup's last member is damaged.") from None
        if not isinstance(seen["trailer"], dict) or "media_files" not in seen["trailer"]:
            raise CommandError("This backup's last member is damaged.")
    elif name in (PG_DUMP, SQLITE_DUMP) and member.isfile():
        dump = folder / name
        _extract_file(archive, member, dump)
        _restore_database(dump, name)
        dump.unlink()
        seen["database"] = True
    elif name == SECRET_KEY_MEMBER and member.isfile():
        # The site's own key (signed links, sessions); replaces the one this very process
        # generated when it started without any.
        key = Path(settings.VAR_DIR) / "secret_key"
        incoming = key.with_name("secret_key.restored")
        incoming.unlink(missing_ok=True)
        _extract_file(archive, member, incoming)
        os.chmod(incoming, 0o600)
        os.replace(incoming, key)
    elif name.startswith("media/") and member.isfile():
        relative = _safe_media_name(name)
        if relative is None:
            raise CommandError(f"refused: {name} leaves the media directory")
        _extract_file(archive, member, media_root / relative)
        seen["files"] += 1
    elif not member.isdir():
        raise CommandError(f"refused: unexpected member {name} in the backup")
