"""Restore a site_backup stream into a new, empty database and media directory, then
bring the schema up to date and rebuild the search index."""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from intranet.core.backup import read_backup


class Command(BaseCommand):
    help = (
        "Restore a backup written by site_backup (from --input or standard input) into the "
        "configured database and media directory, which must be new and empty; then migrate "
        "and rebuild the search index."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", dest="source", help="backup file to read; default: stdin")

    def handle(self, *args, source=None, **options):
        if source is None and sys.stdin.isatty():
            raise CommandError("standard input is a terminal: redirect a backup, or use --input")

        def progress(done, total):
            if done % 500 == 0 or done == total:
                self.stdout.write(f"… {done}/{total} files")

        if source is None:
            manifest = read_backup(sys.stdin.buffer, progress=progress)
        else:
            with open(source, "rb") as file:
                manifest = read_backup(file, progress=progress)
        self.stdout.write(
            f"restored the backup of {manifest['created_at']} "
            f"({manifest['database']}, {manifest['media_files']} files)"
        )
        # The code may be newer than the backup; the index is not part of it.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("search_rebuild", no_progress=True, stdout=self.stdout)
        # Changes queued but not yet applied when the backup ran are in the new index
        # already; applying them clears the queue, whose entries searches leave out.
        call_command("search_index", once=True, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("site restored; search index rebuilt"))
