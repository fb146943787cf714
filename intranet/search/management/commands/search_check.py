"""Compare the index with the database and repair drift (missing, stale, orphaned).

A missing or unreadable index is said in one line with what to do (exit status 1), or
rebuilt with --repair; never a traceback.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intranet.search.engines import SearchUnavailable, get_engine
from intranet.search.indexer import all_documents, drain, rebuild
from intranet.search.models import IndexEntry
from intranet.search.services import search_index_many_later


def drift(engine) -> dict[str, list[str]]:
    indexed = engine.digests()
    pending = {
        f"{k}:{pk}"
        for k, pk in IndexEntry.objects.filter(done_at__isnull=True).values_list(
            "kind", "object_id"
        )
    }
    missing, stale, seen = [], [], set()
    for doc in all_documents():
        seen.add(doc.key)
        if doc.key in pending:
            continue  # the indexer has not got there yet: not drift
        if doc.key not in indexed:
            missing.append(doc.key)
        elif indexed[doc.key] != doc.digest:
            stale.append(doc.key)
    orphaned = sorted(k for k in indexed if k not in seen and k not in pending)
    return {"missing": missing, "stale": stale, "orphaned": orphaned}


class Command(BaseCommand):
    help = "Report drift between the database and the search index, and repair it."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report only")
        parser.add_argument(
            "--repair",
            action="store_true",
            help="rebuild a missing or unreadable index from the database first",
        )

    def handle(self, *args, dry_run=False, repair=False, **options):
        engine = get_engine()
        state = engine.health()
        if state != "ok" and not (repair and not dry_run):
            raise CommandError(_problem(engine, state))
        if state != "ok":
            self.stdout.write(f"the search index is {state}: rebuilding it from the database")
            count = rebuild(engine)
            self.stdout.write(self.style.SUCCESS(f"{count} documents indexed; index swapped in."))
        try:
            found = drift(engine)
        except SearchUnavailable as exc:
            raise CommandError(_problem(engine, f"corrupt ({exc})")) from None
        for name, keys in found.items():
            shown = ", ".join(keys[:10]) + (" …" if len(keys) > 10 else "")
            self.stdout.write(f"{name}: {len(keys)}" + (f" ({shown})" if keys else ""))
        if dry_run or not any(found.values()):
            return
        with transaction.atomic():
            by_kind: dict[str, list[int]] = {}
            for key in [*found["missing"], *found["stale"], *found["orphaned"]]:
                kind, pk = key.split(":", 1)
                by_kind.setdefault(kind, []).append(int(pk))
            for kind, pks in by_kind.items():
                # Indexing an orphan's key removes it: the indexer finds nothing to index.
                search_index_many_later(kind, pks)
        applied = drain(lock_timeout=60)
        self.stdout.write(self.style.SUCCESS(f"repaired: {applied} entries applied"))


def _problem(engine, state: str) -> str:
    where = getattr(engine, "root", None) or engine.name
    return (
        f"the search index ({where}) is {state}: searches answer "
        '"search unavailable" and changes wait in the queue. Rebuild it with '
        "`manage.py search_rebuild` (or `manage.py search_check --repair`)."
    )
