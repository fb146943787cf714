"""Page servers compared: daphne alone against gunicorn (sync, gthread), uvicorn and
granian (WSGI, ASGI), each on the same single core, on real pages of a generated data set.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_serving \\
        .venv/bin/python bench/serving/run.py --size S

Data: the feed benchmark's generator (bench/stream, seeded; S: 500 agents, 50 groups,
20,000 posts), kept between runs. 40 agents get a session each; the page mix, taken in
turn by every connection, is their home feed, a group page of theirs, a colleague's
profile and the people directory, each signed in (the session cookie).

Every server runs at once, pinned to core 1 (taskset), this process (the keep-alive load
client, bench/serving/client.py) to core 0. For each round, each concurrency level and
each server in turn: the bare "hello" view (bench/stream/urls.py, served by the same
process) then the page mix, `--seconds` each. Figures: req/s and p50/p95/p99 of the mix,
as ratios to the same server's hello in the same round (median over rounds), and the
mix's req/s as a ratio to daphne's in the same round; server CPU per request, resident
memory of all its processes. Raw files in bench/results/tmp/, one history line.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import Run, add_result_arguments, percentile_ms, setup_django  # noqa: E402
from bench.serving import client  # noqa: E402
from bench.serving.servers import SERVERS, Server, cpu_seconds, memory_mb  # noqa: E402

KINDS = ("home", "group", "profile", "directory")


def prepare(size: str, agents: int) -> tuple[list, list]:
    """The data set, a session per measured agent, the page mix (kind, request) and the
    hello requests (signed in too: the site sends anonymous visitors to the sign-in)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection

    from bench.stream.run import SIZES, generate
    from intranet.accounts.models import User
    from intranet.groups.models import Group

    # The generator's COPY (bench/common.POST_COLUMNS...) predates later NOT NULL columns
    # that Django fills itself (stream_post.image_alt, image_decorative): defaults for the
    # text and boolean ones, in this database only.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_name IN ('stream_post', 'stream_comment', 'stream_reaction') "
            "AND is_nullable = 'NO' AND column_default IS NULL "
            "AND data_type IN ('text', 'character varying', 'boolean')"
        )
        for table, column, kind in cursor.fetchall():
            value = "false" if kind == "boolean" else "''"
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT {value}')
    generate(SIZES[size])
    people = list(User.objects.filter(is_active=True, is_superuser=False).order_by("pk")[:agents])
    mix, hello = [], []
    for n, agent in enumerate(people):
        session = SessionStore()
        session[SESSION_KEY] = str(agent.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
        session.create()
        key = session.session_key
        group = Group.objects.filter(memberships__agent=agent).order_by("pk").first()
        group = group or Group.objects.order_by("pk").first()
        colleague = people[(n + 1) % len(people)]
        for kind, path in (
            ("home", "/"),
            ("group", f"/groups/{group.slug}/"),
            ("profile", f"/people/{colleague.username}/"),
            ("directory", "/people/"),
        ):
            mix.append((kind, client.request_bytes(path, key)))
        hello.append(("hello", client.request_bytes("/bench-hello/", key)))
    return mix, hello


def measure(server: Server, requests, concurrency: int, seconds: float) -> dict:
    cpu_before = cpu_seconds(server.process.pid)
    result = client.run(server.port, requests, concurrency=concurrency, seconds=seconds)
    cpu = cpu_seconds(server.process.pid) - cpu_before
    every = [x for values in result.latencies.values() for x in values]
    return {
        "rps": result.count / result.seconds,
        "p50": percentile_ms(every, 0.5),
        "p95": percentile_ms(every, 0.95),
        "p99": percentile_ms(every, 0.99),
        "errors": result.errors,
        "statuses": result.statuses,
        "server_cpu_ms_per_request": round(1000 * cpu / max(1, result.count), 2),
        "server_cpu_share": round(cpu / result.seconds, 2),
        "per_kind_p95": {k: percentile_ms(v, 0.95) for k, v in result.latencies.items()},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="S", choices=("S", "M", "L"))
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--agents", type=int, default=40)
    add_result_arguments(parser)
    args = parser.parse_args()
    names = args.servers.split(",")
    levels = [int(c) for c in args.concurrency.split(",")]
    if "daphne" not in names:
        sys.exit("daphne is the reference: keep it in --servers")

    os.environ.setdefault("TRANSVERSE_DEMO", "true")  # the generator's seed_demo asks for it
    setup_django()
    mix, hello = prepare(args.size, args.agents)
    os.sched_setaffinity(0, {0})  # the load client on core 0; the servers on core 1
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("TRANSVERSE_DEMO", None)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.serving.settings",
        TRANSVERSE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    record = Run("serving", args.size, label=args.label, history=not args.no_history)
    load = {"before": os.getloadavg()}
    rows: dict = {}
    folder = Path(tempfile.mkdtemp(prefix="transverse-serving-"))
    servers = [Server(name, env, folder / f"{name}.log") for name in names]
    started = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the servers are stopped below
    try:
        for server in servers:
            started.append(server.__enter__())
            for _kind, raw in mix[:4]:  # imports, templates, connections: one page a kind
                client.run(server.port, [(_kind, raw)], concurrency=1, seconds=0.05)
        memory_idle = {s.name: memory_mb(s.process.pid) for s in servers}
        for n in range(args.rounds):
            for level in levels:
                for server in servers:
                    base = measure(server, hello, level, args.seconds)
                    page = measure(server, mix, level, args.seconds)
                    rows.setdefault((server.name, level), []).append((base, page, n))
                    print(
                        f"round {n} c={level} {server.name}: hello {base['rps']:.0f}/s, "
                        f"mix {page['rps']:.0f}/s p95 {page['p95']} ms, errors {page['errors']}, "
                        f"load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
        memory_after = {s.name: memory_mb(s.process.pid) for s in servers}
    finally:
        for server in started:
            server.__exit__(None, None, None)
    load["after"] = os.getloadavg()
    for (name, level), runs in rows.items():
        daphne_runs = rows[("daphne", level)]
        figure = {
            "id": f"{name}-c{level}",
            "server": name,
            "description": SERVERS[name][0],
            "concurrency": level,
            "baseline": "hello view, same server, same round",
            "hello_rps": round(statistics.median(b["rps"] for b, _, _ in runs), 1),
            "mix_rps": round(statistics.median(p["rps"] for _, p, _ in runs), 1),
            "ratio_rps_vs_hello": round(
                statistics.median(p["rps"] / b["rps"] for b, p, _ in runs), 3
            ),
            "ratio_rps_vs_daphne_mix": round(
                statistics.median(
                    p["rps"] / daphne_runs[i][1]["rps"] for i, (_, p, _) in enumerate(runs)
                ),
                3,
            ),
            **{
                f"mix_{q}_ms": round(statistics.median(p[q] for _, p, _ in runs), 1)
                for q in ("p50", "p95", "p99")
            },
            **{
                f"ratio_{q}_vs_hello": round(
                    statistics.median(p[q] / max(b[q], 0.01) for b, p, _ in runs), 2
                )
                for q in ("p50", "p95", "p99")
            },
            "hello_p95_ms": round(statistics.median(b["p95"] for b, _, _ in runs), 1),
            # The server's own cost per request, in CPU time: less sensitive to a loaded
            # machine than req/s (time the server waits for the core is not counted).
            "server_cpu_ms_per_hello": round(
                statistics.median(b["server_cpu_ms_per_request"] for b, _, _ in runs), 2
            ),
            "errors": sum(p["errors"] + b["errors"] for b, p, _ in runs),
            "server_cpu_ms_per_page": round(
                statistics.median(p["server_cpu_ms_per_request"] for _, p, _ in runs), 2
            ),
            "server_cpu_share": round(
                statistics.median(p["server_cpu_share"] for _, p, _ in runs), 2
            ),
            "per_kind_p95_ms": runs[-1][1]["per_kind_p95"],
            "memory_idle": memory_idle[name],
            "memory_after": memory_after[name],
            "rounds": len(runs),
        }
        record.add(figure, show=False)
    record.finish(summary(record, args, load), load=load)
    subprocess.run(["rm", "-rf", str(folder)], check=False)


def summary(record, args, load) -> str:
    lines = [
        f"# Page servers, size {record.size}, commit {record.commit}, {record.date}",
        "",
        f"Servers on core 1, load client on core 0; {args.rounds} rounds x {args.seconds:g} s "
        f"per level; load average {load['before'][0]:.2f} before, {load['after'][0]:.2f} after.",
        "",
        "| server | conc. | hello req/s | mix req/s | mix/hello | mix vs daphne | p50 ms | p95 ms "
        "| p99 ms | p95/hello p95 | CPU ms/hello | CPU ms/page | RSS MB (procs) | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in record.figures:
        lines.append(
            f"| {f['server']} | {f['concurrency']} | {f['hello_rps']} | {f['mix_rps']} | "
            f"{f['ratio_rps_vs_hello']} | {f['ratio_rps_vs_daphne_mix']} | {f['mix_p50_ms']} | "
            f"{f['mix_p95_ms']} | {f['mix_p99_ms']} | {f['ratio_p95_vs_hello']} | "
            f"{f['server_cpu_ms_per_hello']} | {f['server_cpu_ms_per_page']} | "
            f"{f['memory_after']['rss_mb']} "
            f"({f['memory_after']['processes']}) | {f['errors']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
