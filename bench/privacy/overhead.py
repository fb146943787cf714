"""What the audit trail and the metrics cost on the home feed: the same page with and
without their middleware, interleaved in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_metrics \\
        .venv/bin/python bench/privacy/overhead.py --size M --requests 5 --pairs 60

The data set is bench/stream's of that size (reused when already there). Two test
clients signed in as bench/stream's measured agent fetch the home feed's first page
(`/?fragment=1`, as bench/stream does):

- baseline: MIDDLEWARE without intranet.audit's AuditRequestMiddleware and
  intranet.core.metrics' RequestMetricsMiddleware;
- candidate: the settings as shipped (both in, with the pool gauges they write).

Pairs of short batches, `--pairs` of them, `--requests` requests each side, in the order
A B then B A in turn (drift from the others' load falls on both sides alike). Per pair,
two ratios, candidate / baseline - 1:

- wall time (perf_counter), what a user waits for, noisy on a shared machine;
- this thread's CPU time (time.thread_time) around each request: the Django side's own
  work (middleware, view, templates, the ORM's Python), far less noisy, since time spent
  waiting for a core or for PostgreSQL is not counted. The middleware do their work in
  this thread, so what they cost shows there whole.

Reported: the median of the per-pair ratios with a 95 % bootstrap confidence interval
(pairs resampled with replacement, seeded), and the verdict against the 5 % target:
met when the interval's upper end is at most 5 %.
"""

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    Run,
    add_result_arguments,
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


TARGET = 0.05


def timed_batch(call, requests: int) -> tuple[list[float], list[float]]:
    """(wall seconds, thread CPU seconds) of each of `requests` calls."""
    gc.collect()
    wall, cpu = [], []
    for _ in range(requests):
        began, began_cpu = time.perf_counter(), time.thread_time()
        call()
        cpu.append(time.thread_time() - began_cpu)
        wall.append(time.perf_counter() - began)
    return wall, cpu


def pairs_run(baseline, candidate, *, requests: int, pairs: int) -> list[dict]:
    """A B, B A, A B ...: per pair, the two sides' wall and CPU times."""
    timed_batch(baseline, requests), timed_batch(candidate, requests)  # warm caches
    rounds = []
    for index in range(pairs):
        order = ("base", "cand") if index % 2 == 0 else ("cand", "base")
        pair = {}
        for side in order:
            pair[side] = timed_batch(baseline if side == "base" else candidate, requests)
        rounds.append(pair)
    return rounds


def ratios(rounds: list[dict], which: int) -> list[float]:
    """Per pair: candidate / baseline - 1 of the summed times (0: wall, 1: CPU)."""
    return [sum(pair["cand"][which]) / sum(pair["base"][which]) - 1 for pair in rounds]


def bootstrap_ci(values: list[float], *, resamples: int = 10_000, seed: int = 22):
    """95 % percentile-bootstrap interval of the median of values."""
    rng = random.Random(seed)
    medians = sorted(
        statistics.median(rng.choices(values, k=len(values))) for _ in range(resamples)
    )
    return medians[int(0.025 * resamples)], medians[int(0.975 * resamples) - 1]


def verdict(low: float, high: float) -> str:
    if high <= TARGET:
        return "met"
    if low > TARGET:
        return "missed"
    return "not shown (the interval straddles 5 %)"


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
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=60)
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

        rounds = pairs_run(get(without), get(with_both), requests=args.requests, pairs=args.pairs)
    recording_us = recording_cost_us()
    base_wall = [t for pair in rounds for t in pair["base"][0]]
    cand_wall = [t for pair in rounds for t in pair["cand"][0]]
    base_cpu = [t for pair in rounds for t in pair["base"][1]]
    cand_cpu = [t for pair in rounds for t in pair["cand"][1]]
    result = {}
    for name, which in (("wall", 0), ("cpu", 1)):
        values = ratios(rounds, which)
        low, high = bootstrap_ci(values)
        result[name] = {
            "median": round(statistics.median(values), 4),
            "ci95": [round(low, 4), round(high, 4)],
            "spread": [round(min(values), 4), round(max(values), 4)],
            "verdict": verdict(low, high),
        }
    load = os.getloadavg()
    figure = run.add(
        {
            "id": "privacy.overhead.home_p1",
            "size": args.size,
            "baseline": "home feed without the audit and metrics middleware, same process",
            "baseline_p50_ms": percentile_ms(base_wall, 0.5),
            "p50_ms": percentile_ms(cand_wall, 0.5),
            "p95_ms": percentile_ms(cand_wall, 0.95),
            "baseline_cpu_p50_ms": percentile_ms(base_cpu, 0.5),
            "cpu_p50_ms": percentile_ms(cand_cpu, 0.5),
            "overhead_wall": result["wall"],
            "overhead_cpu": result["cpu"],
            "metrics_recording_us": recording_us,
            "pairs": args.pairs,
            "requests": args.requests,
            "loadavg": [round(x, 2) for x in load],
        }
    )

    def line(name):
        r = result[name]
        (low, high), (lo, hi) = r["ci95"], r["spread"]
        return (
            f"| {name} | {r['median']:+.1%} | {low:+.1%} to {high:+.1%} | "
            f"{lo:+.1%} to {hi:+.1%} | {r['verdict']} |\n"
        )

    run.finish(
        f"# Audit and metrics overhead on the home feed, size {args.size}\n\n"
        f"Load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}.\n\n"
        "| | without | with (as shipped) |\n|---|---|---|\n"
        f"| wall p50 ms | {figure['baseline_p50_ms']} | {figure['p50_ms']} |\n"
        f"| thread CPU p50 ms | {figure['baseline_cpu_p50_ms']} | {figure['cpu_p50_ms']} |\n\n"
        f"Overhead, {args.pairs} interleaved pairs of {args.requests} requests a side:\n\n"
        "| time | median of pairs | 95 % bootstrap CI | spread | ≤ 5 % |\n"
        "|---|---|---|---|---|\n" + line("wall") + line("cpu") + "\n"
        f"The metrics' own calls per request (request_observe and pool_refresh, timed "
        f"alone): {recording_us} µs.\n"
    )


if __name__ == "__main__":
    main()
