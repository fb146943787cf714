"""Queue the next run of every periodic job whose chain is broken (intranet.core.schedule)."""

from django.core.management.base import BaseCommand, CommandError

from intranet.core.schedule import schedule_ensure_all


class Command(BaseCommand):
    help = (
        "Queue the next run of every periodic job that has none (a worker killed during a "
        "run leaves its job without one). Run before the worker starts and every night."
    )

    def handle(self, *args, **options):
        states = schedule_ensure_all()
        for name, state in sorted(states.items()):
            self.stdout.write(f"{name}: {state}")
        failed = sorted(name for name, state in states.items() if state == "error")
        if failed:
            raise CommandError(f"could not queue: {', '.join(failed)} (see the log)")
