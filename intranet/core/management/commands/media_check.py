"""Compare the media directory with the database: orphans, leftovers, missing files.

A crash, a full disk before AtomicFileSystemStorage, or a restore from a media archive
newer than the database leave files that no row points to; a restore from an older
archive leaves rows whose file is gone. This command reports both and, with --clean,
removes the files no row points to once they are older than --age minutes (a file is
written just before its row is committed: a younger one may belong to an upload in
progress) and the temporaries of interrupted writes.
"""

import os
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models
from django.template.defaultfilters import filesizeformat

from intranet.core.storage import TEMPORARY_PREFIX

PROGRESS_EVERY = 1000


def referenced_names() -> set[str]:
    """Every file name stored in a FileField or ImageField of any model."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                rows = model._default_manager.exclude(**{field.name: ""})
                rows = rows.exclude(**{f"{field.name}__isnull": True})
                names.update(rows.values_list(field.attname, flat=True).iterator())
    return names


class Command(BaseCommand):
    help = "Report files under MEDIA_ROOT that no row points to, and rows whose file is gone."

    def add_arguments(self, parser):
        parser.add_argument(
            "--clean", action="store_true", help="delete orphans and leftover temporaries"
        )
        parser.add_argument(
            "--age",
            type=int,
            default=60,
            help="only files older than this many minutes count as orphans (default 60)",
        )

    def handle(self, *args, clean=False, age=60, **options):
        root = os.path.realpath(settings.MEDIA_ROOT)
        referenced = referenced_names()
        self.stdout.write(f"{len(referenced)} files referenced by the database")
        cutoff = time.time() - max(0, age) * 60
        seen, orphans, young, scanned = set(), [], 0, 0
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                relative = os.path.relpath(path, root).replace(os.sep, "/")
                scanned += 1
                if scanned % PROGRESS_EVERY == 0:
                    self.stdout.write(f"… {scanned} files scanned")
                if relative in referenced and not name.startswith(TEMPORARY_PREFIX):
                    seen.add(relative)
                    continue
                try:
                    stat = os.lstat(path)
                except FileNotFoundError:
                    continue  # removed meanwhile
                if stat.st_mtime > cutoff:
                    young += 1
                    continue
                orphans.append((relative, path, stat.st_size))
        missing = sorted(referenced - seen)
        self._report(scanned, orphans, young, missing, age)
        if clean and orphans:
            self._clean(orphans)
        elif orphans:
            self.stdout.write("run with --clean to delete them")

    def _report(self, scanned, orphans, young, missing, age):
        size = sum(item[2] for item in orphans)
        temporaries = sum(1 for item in orphans if "/" + TEMPORARY_PREFIX in "/" + item[0])
        self.stdout.write(f"{scanned} files under {settings.MEDIA_ROOT}")
        self.stdout.write(
            f"orphans: {len(orphans)} ({filesizeformat(size)}), "
            f"of which {temporaries} interrupted writes"
        )
        for relative, _path, file_size in orphans[:20]:
            self.stdout.write(f"  {relative} ({filesizeformat(file_size)})")
        if young:
            self.stdout.write(f"left alone: {young} unreferenced files younger than {age} min")
        self.stdout.write(f"missing: {len(missing)} rows point to no file")
        for name in missing[:20]:
            self.stdout.write(f"  {name}")

    def _clean(self, orphans):
        deleted = freed = 0
        for index, (relative, path, size) in enumerate(orphans, start=1):
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.stderr.write(f"could not delete {relative}: {exc}")
                continue
            deleted += 1
            freed += size
            if index % PROGRESS_EVERY == 0:
                self.stdout.write(f"… {index}/{len(orphans)} deleted")
        self.stdout.write(
            self.style.SUCCESS(f"deleted {deleted} files, {filesizeformat(freed)} freed")
        )
