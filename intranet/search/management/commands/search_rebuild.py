"""Rebuild the whole search index beside the live one, then swap it in atomically."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from intranet.search.engines import get_engine
from intranet.search.indexer import indexable_count, rebuild


class Command(BaseCommand):
    help = "Rebuild the search index from the database (searches keep working meanwhile)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, no_progress=False, **options):
        engine = get_engine()
        total = indexable_count()
        with tqdm(total=total, unit="doc", disable=no_progress, file=self.stderr) as bar:
            count = rebuild(engine, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(f"{count} documents indexed with {engine.name}; index swapped in.")
        )
