"""What the audit trail and the metrics cost on the home feed: the same page with and
without their middleware, interleaved in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_metrics \\
        .venv/bin/python bench/privacy/overhead.py --size M --requests 30 --pairs 7

The data set is bench/stream's of that size (reused when already there). Two test
clients signed in as bench/stream's measured agent fetch the home feed's first page
(`/?fragment=1`, as bench/stream does):

- baseline: MIDDLEWARE without intranet.audit's AuditRequestMiddleware and
  intranet.core.metrics' RequestMetricsMiddleware;
- candidate: the settings as shipped (both in, with the pool gauges they write).

A B A B ..., `--requests` each per round; the overhead is candidate time / baseline time
- 1 per pair (median and spread). The page records no audit event itself: what the
trail costs a page that is not audited is its middleware.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    Run,
    add_result_arguments,
    interleaved,
    percentile_ms,
    setup_django,
)

REMOVED = (
    "intranet.audit.middleware.AuditRequestMiddleware",
    "intranet.core.metrics.RequestMetricsMiddleware",
)


def client_for(agent, middleware):
    """A test client whose handler is built with this middleware list (Django builds
    it at the client's first request, then keeps it)."""
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        client = Client()
        client.force_login(agent)
        assert client.get("/?fragment=1").status_code == 200
    return client


def recording_cost_us(calls: int = 20_000) -> float:
    """What the metrics middleware does per request, timed alone (multiprocess files)."""
    import time

    from intranet.core.metrics import pool_refresh, request_observe

    began = time.perf_counter()
    for _ in range(calls):
        request_observe("stream:home", "GET", 200, 0.05)
        pool_refresh()
    return round((time.perf_counter() - began) / calls * 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=("S", "M", "L"), default="S")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=7)
    add_result_arguments(parser)
    args = parser.parse_args()
    os.environ.setdefault("TRANSVERSE_DEMO", "true")
    setup_django()
    from django.conf import settings
    from django.test.utils import override_settings

    from bench.stream.run import SIZES, generate, measured_agent

    generate(SIZES[args.size])
    agent, _group = measured_agent()
    shipped = list(settings.MIDDLEWARE)
    assert all(name in shipped for name in REMOVED), "the middleware were renamed"
    bare = [name for name in shipped if name not in REMOVED]
    run = Run("privacy", f"overhead-{args.size}", label=args.label, history=not args.no_history)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        without, with_both = client_for(agent, bare), client_for(agent, shipped)

        def get(client):
            def call():
                assert client.get("/?fragment=1").status_code == 200

            return call

        times = interleaved(get(without), get(with_both), calls=args.requests, pairs=args.pairs)
    overheads = [statistics.mean(cand) / statistics.mean(base) - 1 for base, cand in times.rounds]
    recording_us = recording_cost_us()
    figure = run.add(
        {
            "id": "privacy.overhead.home_p1",
            "size": args.size,
            "baseline": "home feed without the audit and metrics middleware, same process",
            "baseline_p50_ms": percentile_ms(times.baseline, 0.5),
            "p50_ms": percentile_ms(times.candidate, 0.5),
            "p95_ms": percentile_ms(times.candidate, 0.95),
            "queries": times.queries,
            "overhead_median": round(statistics.median(overheads), 4),
            "overhead_spread": [round(min(overheads), 4), round(max(overheads), 4)],
            "metrics_recording_us": recording_us,
            "pairs": args.pairs,
            "requests": args.requests,
        }
    )
    low, high = figure["overhead_spread"]
    run.finish(
        f"# Audit and metrics overhead on the home feed, size {args.size}\n\n"
        "| | without | with (as shipped) |\n|---|---|---|\n"
        f"| p50 ms | {figure['baseline_p50_ms']} | {figure['p50_ms']} |\n\n"
        f"Overhead (median of {args.pairs} interleaved pairs of {args.requests} requests): "
        f"{figure['overhead_median']:+.1%} (spread {low:+.1%} to {high:+.1%}); "
        f"{figure['queries']} queries per page. The metrics' own calls per request "
        f"(request_observe and pool_refresh, timed alone): {recording_us} µs.\n"
    )


if __name__ == "__main__":
    main()
