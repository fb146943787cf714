"""PostgreSQL engine queries on the search_document table a previous run.py left behind.

    DATABASE_URL=postgres://... .venv/bin/python bench/search/postgres_table.py --size 1000000

Re-measures the PostgreSQL engine after a change without re-indexing (a 1,000,000-row
rebuild takes a quarter of an hour here). The table must hold run.py's data for --size.
No Tantivy baseline in this run: the absolute figures only compare with each other. The
queries are drawn as run.py draws them (same seeds); the EXPLAIN ANALYZE of one medium and
one frequent query (with facets) is written beside the figures.
"""

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.search.run import SEED, actor_tokens, corpus, ours, percentile, queries
    from intranet.search.engines.postgres_engine import PostgresEngine

    words, items = corpus(args.size)
    rng = random.Random(SEED + 1)
    tokens = actor_tokens(rng)
    engine = PostgresEngine()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    lines = [
        f"# PostgreSQL engine on the existing {args.size:,}-row table ({date}, commit {commit})",
        "",
        "No baseline in this run (see the module docstring). Milliseconds.",
        "",
        "| queries | p50 | p95 | p50 with facets | p95 with facets |",
        "|---|---|---|---|---|",
    ]
    drawn = queries(words, items, rng, args.queries)
    for kind, qs in drawn.items():
        row = []
        for facets in (False, True):
            run = ours(engine, tokens, facets)
            for q in qs[:3]:
                run(q)
            times = []
            for q in qs:
                start = time.perf_counter()
                run(q)
                times.append((time.perf_counter() - start) * 1000)
            row += [f"{percentile(times, 50):.1f}", f"{percentile(times, 95):.1f}"]
        lines.append(f"| {kind} | " + " | ".join(row) + " |")
        print(lines[-1], flush=True)
    plans = []
    for kind in ("medium", "frequent"):
        with CaptureQueriesContext(connection) as captured:
            ours(engine, tokens, True)(drawn[kind][0])
        with connection.cursor() as cursor:
            for executed in captured.captured_queries:
                sql = executed["sql"]
                if sql.startswith("EXPLAIN") or "reltuples" in sql:
                    continue
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cursor.fetchall())
                plans.append(f"-- {kind}: {drawn[kind][0]}\n{sql}\n{plan}")
    stem = ROOT / "bench" / "results" / f"search-{args.size}-{date}-postgres-table"
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    stem.with_name(stem.name + "-explain.txt").write_text("\n\n".join(plans) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
