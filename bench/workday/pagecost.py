"""The server CPU one page costs, per page kind of the working day, in one process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_workday_s \\
        .venv/bin/python -m bench.workday.pagecost --agents 10 --passes 4

Data: the working day's (bench/workday/data.py, generated on first use). Django's test
client, signed in with each agent's session in turn, requests the six page kinds of the
working day (home, a group of theirs, a colleague's profile, the people directory,
notifications, the expert finder), a search, and the bare "hello" view beside them
(bench.serving.settings), interleaved. Figures per kind: this process's CPU time per request
(`time.process_time`: the Python share; PostgreSQL's own CPU is measured separately as
the backend's, through pg_stat_activity's pid and /proc), queries per request, and the
ratio to hello in the same run. CPU time, not wall time, so a loaded machine blurs the
figures less; compare two commits by running both, alternating, on the same database.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.serving.settings")
# The search index data.py builds, as the working day's servers use it.
os.environ.setdefault("TRANSVERSE_SEARCH_ENGINE", "postgres")

from bench.common import RAW, Run, add_result_arguments  # noqa: E402

KINDS = ("hello", "home", "group", "profile", "people", "notifications", "experts", "search")
# Signed-in pages with little content of their own: what the frame (header, menus, footer,
# middleware, session and user) costs beyond hello. Not in the default run: --kinds.
FRAME_KINDS = ("about", "settings")
WORDS = ["réunion", "budget", "agent", "service", "formation", "projet", "données", "santé"]


def backend_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) of one PostgreSQL backend, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def urls_for(agent: dict, agents: list, index: int) -> dict:
    colleague = agents[(index * 7 + 1) % len(agents)]["username"]
    groups = agent["groups"]
    return {
        "hello": "/bench-hello/",
        "home": "/",
        "group": f"/groups/{groups[index % len(groups)][0]}/" if groups else "/groups/",
        "profile": f"/people/{colleague}/",
        "people": "/people/",
        "notifications": "/notifications/",
        "experts": "/experts/",
        "search": f"/search/?q={WORDS[index % len(WORDS)]}",
        "about": "/about/accessibility/",
        "settings": "/accounts/settings/",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", choices=("S", "M", "L"))
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--passes", type=int, default=4)
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    add_result_arguments(parser)
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    if "hello" not in kinds:
        kinds.insert(0, "hello")

    from bench.workday.data import prepare

    data = json.loads(prepare(args.size).read_text())
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    agents = [a for a in data["agents"] if a["groups"]][: args.agents]
    cpu = {k: [] for k in kinds}
    pg = {k: [] for k in kinds}
    queries = {k: [] for k in kinds}
    counted = []

    def count(execute, sql, params, many, context):
        counted.append(1)
        return execute(sql, params, many, context)

    with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
        clients = []
        for agent in agents:
            client = Client(HTTP_ACCEPT_LANGUAGE="fr")
            client.cookies[settings.SESSION_COOKIE_NAME] = agent["session"]
            clients.append(client)
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        for index, client in enumerate(clients):  # warm-up: templates, caches, plans
            for url in urls_for(agents[index], agents, index).values():
                client.get(url)
        for p in range(args.passes):
            for index, client in enumerate(clients):
                urls = urls_for(agents[index], agents, index + p)
                for kind in kinds:
                    counted.clear()
                    pg_before = backend_cpu_seconds(backend)
                    before = time.process_time()
                    with connection.execute_wrapper(count):
                        response = client.get(urls[kind])
                    cpu[kind].append(time.process_time() - before)
                    pg[kind].append(backend_cpu_seconds(backend) - pg_before)
                    queries[kind].append(len(counted))
                    assert response.status_code == 200, (kind, urls[kind], response.status_code)

    record = Run("pagecost", args.size, label=args.label, history=not args.no_history)
    hello = statistics.mean(cpu["hello"])
    rows = []
    for kind in kinds:
        mean = statistics.mean(cpu[kind])
        figure = {
            "kind": kind,
            "python_cpu_ms": round(mean * 1000, 2),
            "postgres_cpu_ms": round(statistics.mean(pg[kind]) * 1000, 2),
            "queries": max(queries[kind]),
            "ratio_to_hello": round(mean / hello, 1) if hello else None,
            "requests": len(cpu[kind]),
        }
        record.add(figure)
        rows.append(figure)
    pages = [k for k in kinds if k not in ("hello", "search", *FRAME_KINDS)]
    if pages:
        mix = statistics.mean(statistics.mean(cpu[k]) for k in pages)
        mix_pg = statistics.mean(statistics.mean(pg[k]) for k in pages)
        record.add(
            {
                "kind": "six pages (mean)",
                "python_cpu_ms": round(mix * 1000, 2),
                "postgres_cpu_ms": round(mix_pg * 1000, 2),
                "ratio_to_hello": round(mix / hello, 1) if hello else None,
            }
        )
    lines = [
        f"# Page cost, size {args.size}, commit {record.commit}, {record.date}",
        "",
        "| kind | Python CPU ms | PostgreSQL CPU ms | queries | ratio to hello |",
        "|---|---|---|---|---|",
    ]
    for f in record.figures:
        lines.append(
            f"| {f['kind']} | {f['python_cpu_ms']} | {f['postgres_cpu_ms']} "
            f"| {f.get('queries', '')} | {f['ratio_to_hello']} |"
        )
    lines.append(f"\nload average {os.getloadavg()[0]:.1f}; raw files in {RAW}")
    record.finish("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
