"""Apply the retention rules now, or say what they would remove (--dry-run).

manage.py retention --dry-run    # per kind: the cut-off and how many would go
manage.py retention              # remove them, with progress
"""

from django.core.management.base import BaseCommand

from intranet.core.retention import retention_apply, retention_plan


class Command(BaseCommand):
    help = "Remove personal data older than its retention period (see docs/rgpd.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; remove nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        plan = retention_plan()
        for rule, cutoff, count in plan:
            when = f"older than {cutoff:%Y-%m-%d %H:%M}" if cutoff else "kept (no limit)"
            self.stdout.write(f"{rule.name}: {count} to remove ({when})")
        if dry_run:
            self.stdout.write(
                f"dry run: {sum(count for _, _, count in plan)} in all, nothing removed"
            )
            return

        def progress(rule, removed):
            self.stdout.write(f"  {rule.name}: {removed} removed")

        removed = retention_apply(progress=progress)
        self.stdout.write(f"done: {sum(removed.values())} removed")
