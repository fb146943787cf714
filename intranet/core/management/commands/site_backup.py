"""Write the whole site (database, uploaded files) as one tar stream: see core.backup."""

import os
import sys

from django.core.management.base import BaseCommand, CommandError

from intranet.core.backup import write_backup


class Command(BaseCommand):
    help = (
        "Write a backup of the database and the uploaded files as a tar stream, to --output "
        "or to standard output (deploy/transverse-backup adds the configuration)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (created 0600); default: stdout")

    def handle(self, *args, output=None, **options):
        if output is None and sys.stdout.isatty():
            raise CommandError("standard output is a terminal: redirect it, or use --output")
        step = _Progress(self.stderr)
        if output is None:
            manifest = write_backup(sys.stdout.buffer, progress=step)
            sys.stdout.buffer.flush()
        else:
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                manifest = write_backup(file, progress=step)
        self.stderr.write(
            f"backup written: {manifest['database']} database, {manifest['media_files']} files"
        )


class _Progress:
    """A line every 500 files on stderr (stdout may be the backup itself)."""

    def __init__(self, stream):
        self.stream = stream

    def __call__(self, done: int, total: int) -> None:
        if done % 500 == 0 or done == total:
            self.stream.write(f"… {done}/{total} files")
