"""PostgreSQL engine queries on the search_document table a previous run.py left behind.

    DATABASE_URL=postgres://... .venv/bin/python bench/search/postgres_table.py --size 1000000

Re-measures the PostgreSQL engine after a change without re-indexing (a 1,000,000-row
rebuild takes a quarter of an hour here). The table must hold run.py's data for --size.
No Tantivy baseline in this run: the absolute figures only compare with each other. The
queries are drawn as run.py draws them (same seeds); the EXPLAIN ANALYZE of one medium and
one frequent query (with facets) is written beside the figures (bench/results/tmp/), and
the run is appended to bench/results/search-history.jsonl with the label postgres-table.
"""

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    Run,
    add_result_arguments,
    explain_calls,
    percentile,
    setup_django,
)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=20)
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django(migrate=False)

    from bench.search.run import SEED, actor_tokens, corpus, ours, queries
    from intranet.search.engines.postgres_engine import PostgresEngine

    words, items = corpus(args.size)
    rng = random.Random(SEED + 1)
    tokens = actor_tokens(rng)
    engine = PostgresEngine()
    label = "-".join(part for part in ("postgres-table", args.label) if part)
    record = Run("search", args.size, label=label, history=not args.no_history)
    drawn = queries(words, items, rng, args.queries)
    for kind, qs in drawn.items():
        figure = {"id": f"postgres_table.{kind}", "size": args.size, "unit": "ms"}
        for facets in (False, True):
            run = ours(engine, tokens, facets)
            for q in qs[:3]:
                run(q)
            times = []
            for q in qs:
                start = time.perf_counter()
                run(q)
                times.append((time.perf_counter() - start) * 1000)
            suffix = "_facets" if facets else ""
            figure[f"p50{suffix}"] = round(percentile(times, 0.5), 1)
            figure[f"p95{suffix}"] = round(percentile(times, 0.95), 1)
        record.add(figure)
    plans = []
    for kind in ("medium", "frequent"):
        q = drawn[kind][0]
        calls = explain_calls(
            lambda q=q: ours(engine, tokens, True)(q), keep=lambda sql: "reltuples" not in sql
        )
        plans += [f"-- {kind}: {q}\n{sql}\n{plan}" for sql, plan in calls]
    record.write("-explain.txt", "\n\n".join(plans) + "\n")
    lines = [
        f"# PostgreSQL engine on the existing {args.size:,}-row table "
        f"({record.date}, commit {record.commit})",
        "",
        "No baseline in this run (see the module docstring). Milliseconds.",
        "",
        "| queries | p50 | p95 | p50 with facets | p95 with facets |",
        "|---|---|---|---|---|",
    ]
    for f in record.figures:
        kind = f["id"].split(".")[1]
        lines.append(
            f"| {kind} | {f['p50']} | {f['p95']} | {f['p50_facets']} | {f['p95_facets']} |"
        )
    record.finish("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
