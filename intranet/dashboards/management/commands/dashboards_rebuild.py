"""Recompute the dashboards' daily rows of a period, day by day, with a progress bar."""

import sys
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from intranet.dashboards.aggregation import aggregate_period


class Command(BaseCommand):
    help = "Recompute the dashboards' figures of a period (default: the last 365 days)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="last", help="last day, YYYY-MM-DD (default: yesterday)")
        parser.add_argument("--days", type=int, default=365, help="days before --to")

    def handle(self, *args, first=None, last=None, days=365, **options):
        try:
            last = date.fromisoformat(last) if last else timezone.localdate() - timedelta(days=1)
            first = date.fromisoformat(first) if first else last - timedelta(days=max(days, 1) - 1)
        except ValueError as error:
            raise CommandError(f"not a date: {error}") from None
        if first > last:
            raise CommandError("--from is after --to")
        total = (last - first).days + 1
        interactive = self.stdout.isatty() if hasattr(self.stdout, "isatty") else False
        done = [0]

        def progress(day):
            done[0] += 1
            width = 30
            filled = width * done[0] // total
            line = f"[{'#' * filled}{'.' * (width - filled)}] {done[0]}/{total} {day.isoformat()}"
            if interactive or sys.stdout.isatty():
                self.stdout.write("\r" + line, ending="")
            elif done[0] == total or done[0] % 10 == 0:
                self.stdout.write(line)

        aggregate_period(first, last, progress)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"{total} day(s) aggregated, {first} to {last}"))
