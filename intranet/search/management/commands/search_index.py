"""Run the search indexer: drain the queue, then keep polling (or stop with --once)."""

import logging
import time

from django.core.management.base import BaseCommand

from intranet.search.indexer import drain

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Apply queued search index changes, in a loop (one indexer at a time)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="drain once and stop")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, once=False, interval=0.5, batch_size=None, **options):
        while True:
            try:
                applied = drain(size=batch_size, lock_timeout=interval)
            except Exception:
                # A missing or broken index must not stop the loop: entries stay queued.
                logger.exception("search indexer batch failed; retrying")
                applied = 0
                if once:
                    raise
            if applied:
                logger.info("search indexer applied %d entries", applied)
            if once:
                self.stdout.write(f"{applied} entries applied")
                return
            time.sleep(interval)
