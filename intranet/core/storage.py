"""Uploaded files on disk: written whole or not at all, and a full disk said as such.

Django's FileSystemStorage writes straight to the final name, so a disk that fills up in
the middle leaves an empty or truncated file that the database never points to, and the
OSError becomes a generic 500. AtomicFileSystemStorage writes to a hidden temporary name
in the same directory, flushes it to disk, then links it to its final name in one step;
any error removes the temporary, so a file under its final name is always complete.
A full disk (or quota) raises StorageFull, which StorageFullMiddleware answers with 507
and a clear message (JSON for scripts and fetch calls, a page otherwise).
"""

import errno
import logging
import os
import uuid

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.core.files.storage import FileSystemStorage
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Temporaries start with this prefix; media_check removes the ones a crash left behind.
TEMPORARY_PREFIX = ".upload-"
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}


class StorageFull(OSError):
    """The file system holding the uploads has no space (or quota) left."""


def storage_full_message() -> str:
    return _(
        "The storage space is full: your file was not saved. Try again later, and tell the "
        "site's administrators if it goes on."
    )


@deconstructible(path="intranet.core.storage.AtomicFileSystemStorage")
class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files appear under their name only once fully written."""

    def _save(self, name, content):
        full_path = self.path(name)
        self._make_directory(os.path.dirname(full_path))
        temporary = self._write_temporary(os.path.dirname(full_path), content)
        try:
            full_path = self._link(temporary, full_path)
        finally:
            _remove_quietly(temporary)
        _sync_directory(os.path.dirname(full_path))
        self._ensure_location_group_id(full_path)
        return os.path.relpath(full_path, self.location).replace("\\", "/")

    def _make_directory(self, directory: str) -> None:
        try:
            if self.directory_permissions_mode is not None:
                old_umask = os.umask(0o777 & ~self.directory_permissions_mode)
                try:
                    os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
                finally:
                    os.umask(old_umask)
            else:
                os.makedirs(directory, exist_ok=True)
        except OSError as exc:
            raise _translated(exc) from exc

    def _write_temporary(self, directory: str, content) -> str:
        """Write content under a new hidden name in directory; return its path."""
        temporary = os.path.join(directory, f"{TEMPORARY_PREFIX}{uuid.uuid4().hex}")
        if self._link_written(content, temporary):
            return temporary
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(temporary, flags, 0o666)
        except OSError as exc:
            raise _translated(exc) from exc
        try:
            with os.fdopen(fd, "wb") as file:
                if self.file_permissions_mode is not None:
                    os.fchmod(file.fileno(), self.file_permissions_mode)
                for chunk in content.chunks():
                    file.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                file.flush()
                os.fsync(file.fileno())  # the bytes are on disk before the name exists
        except BaseException as exc:
            _remove_quietly(temporary)
            if isinstance(exc, OSError):
                raise _translated(exc) from exc
            raise
        return temporary

    def _link_written(self, content, temporary: str) -> bool:
        """Whether content, an upload already written whole to a file on this file system
        (an upload handler's temporary file), was synced and linked as temporary: saving a
        200 MB upload is then one copy of its bytes, not two. False: write a copy."""
        source = getattr(content, "temporary_file_path", None)
        if source is None:
            return False
        try:
            content.file.flush()
            fd = os.open(source(), os.O_RDONLY)
        except (AttributeError, ValueError, OSError):
            return False
        try:
            if self.file_permissions_mode is not None:
                os.fchmod(fd, self.file_permissions_mode)
            os.fsync(fd)  # the bytes are on disk before the name exists
            os.link(source(), temporary)
        except OSError as exc:
            if exc.errno in FULL_ERRNOS:
                raise _translated(exc) from exc
            return False  # another file system, no hard links: copied instead
        finally:
            os.close(fd)
        return True

    def _link(self, temporary: str, full_path: str) -> str:
        """Give temporary its final name without ever replacing another file."""
        while True:
            try:
                os.link(temporary, full_path)
                return full_path
            except FileExistsError:
                name = self.get_available_name(os.path.relpath(full_path, self.location))
                full_path = self.path(name)
            except OSError as exc:
                if exc.errno not in {errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}:
                    raise _translated(exc) from exc
                # A file system without hard links: rename, after checking the name is free.
                if os.path.exists(full_path):
                    full_path = self.path(self.get_available_name(full_path))
                    continue
                try:
                    os.replace(temporary, full_path)
                except OSError as rename_exc:
                    raise _translated(rename_exc) from rename_exc
                return full_path


def _translated(exc: OSError) -> OSError:
    if exc.errno in FULL_ERRNOS and not isinstance(exc, StorageFull):
        return StorageFull(exc.errno, os.strerror(exc.errno), exc.filename)
    return exc


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        logger.warning("could not remove the temporary upload %s", path, exc_info=True)


def _sync_directory(directory: str) -> None:
    """Make the new name durable: without it a crash could lose a file the row points to."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a directory; the data itself is synced
    finally:
        os.close(fd)


def is_storage_full(exc: BaseException) -> bool:
    """Whether exc, or an exception it came from, says the disk or quota is full."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in FULL_ERRNOS:
            return True
        # SQLite's SQLITE_FULL: the embedded database shares the disk with the uploads.
        if isinstance(exc, DatabaseError) and "database or disk is full" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _wants_json(request) -> bool:
    """Scripts and the pages' own fetch calls get JSON; a form posted by the browser, a page."""
    if "application/json" in request.headers.get("Accept", ""):
        return True
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return True
    mode = request.headers.get("Sec-Fetch-Mode")
    return bool(mode) and mode != "navigate"


class StorageFullMiddleware:
    """Answer 507 Insufficient Storage, with a message, when a request ran out of disk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_storage_full(exception):
            return None
        logger.error("storage full while answering %s %s", request.method, request.path)
        message = storage_full_message()
        if _wants_json(request):
            body = {"error": {"code": "storage_full", "message": message}}
            return JsonResponse(body, status=507)
        try:
            html = render_to_string("507.html", {"message": message}, request=request)
        except Exception:  # the page itself may need the disk or the database: say it plainly
            logger.warning("could not render the storage-full page", exc_info=True)
            return HttpResponse(message, status=507, content_type="text/plain; charset=utf-8")
        return HttpResponse(html, status=507)


class StaticStorage(StaticFilesStorage):
    """The static files' storage, each address computed once per process.

    `{% static %}` runs some forty times a page (icons, scripts, style sheets), and each
    call quoted and joined the same name to STATIC_URL again (3.5 % of a page's CPU).
    An address depends only on the name and on STATIC_URL, which a running process
    never changes; the names are the templates' own, a bounded set.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, str], str] = {}

    def url(self, name):
        key = (name, self.base_url)  # STATIC_URL changed (tests): other addresses
        found = self._urls.get(key)
        if found is None:
            found = super().url(name)
            if len(self._urls) < 4096:  # bounded whatever a caller passes
                self._urls[key] = found
        return found
