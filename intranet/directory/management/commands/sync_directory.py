"""manage.py sync_directory: import agents and departments from the directory now."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from intranet.core.schedule import schedule_ensure
from intranet.directory.config import directory_config
from intranet.directory.models import SyncRun
from intranet.directory.services.sync import SyncRefused, directory_sync
from intranet.directory.tasks import DIRECTORY_JOB

SUMMARY = (
    ("read", "entries read"),
    ("created", "created"),
    ("updated", "updated"),
    ("moved", "moved to another department"),
    ("reactivated", "reactivated"),
    ("deactivated", "deactivated (left)"),
    ("unchanged", "unchanged"),
    ("ignored_disabled", "disabled in the directory, never imported"),
    ("skipped", "skipped"),
    ("managers_changed", "managers changed"),
    ("heads_changed", "department heads changed"),
    ("departments_retired", "departments switched off"),
)


class Command(BaseCommand):
    help = (
        "Import agents and departments from the directory (TRANSVERSE_LDAP_*). Safe to "
        "re-run or interrupt: nothing is written until the whole directory has been read."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Read only entries changed since the last run (modifyTimestamp); "
            "leavers are found by full runs only.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Confirm a run that deactivates more agents than "
            "TRANSVERSE_LDAP_MAX_DEACTIVATE_PERCENT allows.",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, incremental, force, no_progress, verbosity, **options):
        if not directory_config().enabled:
            raise CommandError("No directory is configured: set TRANSVERSE_LDAP_URL.")
        bar = tqdm(
            desc="directory entries",
            unit=" entries",
            disable=no_progress or verbosity == 0,
            file=sys.stderr,
            dynamic_ncols=True,
        )

        def expected(total):
            bar.total = total or None
            bar.refresh()

        mode = SyncRun.Mode.INCREMENTAL if incremental else SyncRun.Mode.FULL
        try:
            run = directory_sync(mode=mode, force=force, progress=bar.update, expected=expected)
        except SyncRefused as exc:
            raise CommandError(f"Directory sync refused, nothing was changed: {exc}") from None
        finally:
            bar.close()
        self._summary(run, verbosity)
        schedule_ensure(DIRECTORY_JOB)

    def _summary(self, run: SyncRun, verbosity: int) -> None:
        if verbosity == 0:
            return
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(f"Directory sync ({run.mode}) done in {seconds:.1f} s")
        )
        for key, label in SUMMARY:
            self.stdout.write(f"  {label}: {run.counts.get(key, 0)}")
        for item in run.skipped[: 50 if verbosity < 2 else None]:
            self.stdout.write(self.style.WARNING(f"  skipped {item['dn']}: {item['reason']}"))
        if len(run.skipped) > 50 and verbosity < 2:
            self.stdout.write(f"  ... and {len(run.skipped) - 50} more (use -v 2)")
