"""The working day against one node and against two, in the same run (issue 21, items 3-4).

    .venv/bin/python -m bench.workday.nodes --size S --steps 10,30 --speed 10

One run: starts deploy/trial-cluster (its own PostgreSQL and Redis, two nodes each
gunicorn for pages + daphne for /ws/, one worker, nginx in front), loads the workday
dataset into the cluster's database (bench/workday/data.py run with the cluster's
environment, so the agents' sessions are signed with the cluster's secret key), and at
each step runs the same swarm (bench/workday/run.py's run_step) against:

- `bare`: the bare baselines of run.py (daphne serving a Django "hello", a bare
  websockets server), on the server core;
- `embedded`: one daphne serving pages and sockets (the README's `run` layout), with the
  cluster's worker, Redis and PostgreSQL;
- `node1`: one node of the production layout, node 1's gunicorn for pages and its
  daphne for /ws/ (no nginx), same worker, Redis and PostgreSQL;
- `nodes2`: both nodes behind the cluster's nginx.

Pinning as run.py: the generator on --client-cpu, every server process (the cluster's,
PostgreSQL's postmaster and backends included) on --server-cpus; `nodes2` on
--two-node-cpus (default both cores: on a 2-core machine the second node's core is the
generator's too, said in the results). Processes not in the configuration measured stay
idle (their CPU is not counted). Everything is stopped at the end, the cluster's
PostgreSQL and its folder included.
"""

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import RAW, Run, add_result_arguments  # noqa: E402
from bench.realtime.cluster import LISTEN_BACKLOG, PYTHON, free_port, wait_port  # noqa: E402
from bench.workday.run import (  # noqa: E402
    RATES,
    Target,
    capacities,
    run_step,
    trial_cluster_module,
)


def tree(pid: int) -> list[int]:
    import psutil

    try:
        p = psutil.Process(pid)
        return [p.pid, *(c.pid for c in p.children(recursive=True))]
    except psutil.Error:
        return []


def pin_all(pids, cpus) -> None:
    for pid in pids:
        for p in tree(pid):
            with contextlib.suppress(OSError):  # ended meanwhile
                os.sched_setaffinity(p, set(cpus))


class Bench:
    def __init__(self, args):
        self.args = args
        self.dir = RAW / f"nodes-cluster-{os.getpid()}"
        self.tc = trial_cluster_module()
        self.cluster = self.tc.Cluster(self.dir)
        self.extra: list[subprocess.Popen] = []

    # --- servers --------------------------------------------------------------------
    def start(self):
        self.cluster.start(None, None)  # private PostgreSQL and Redis
        urls = self.cluster.urls()
        if not urls["nginx"]:
            raise SystemExit("nginx is not installed: no two-node front to measure")
        self.urls = urls
        state = self.cluster.state
        pids = state["pids"]
        postmaster = int((Path(state["postgres_data"]) / "postmaster.pid").read_text().split()[0])
        self.postmaster = postmaster
        self.database_url = state["database_url"]
        env = self.cluster.env()
        # The embedded layout: one daphne for pages and sockets, the cluster's environment.
        port = free_port()
        endpoint = f"tcp:port={port}:interface=127.0.0.1:backlog={LISTEN_BACKLOG}"
        embedded = self._spawn(
            "embedded",
            [PYTHON, "-m", "daphne", "--endpoint", endpoint, "intranet.asgi:application"],
            {**env, "PGAPPNAME": "transverse-embedded"},
            port,
        )
        # The bare baselines (run.py's).
        hport, wport = free_port(), free_port()
        endpoint = f"tcp:port={hport}:interface=127.0.0.1:backlog={LISTEN_BACKLOG}"
        hello = self._spawn(
            "hello",
            [PYTHON, "-m", "daphne", "--endpoint", endpoint, "bench.workday.baselines:hello"],
            dict(os.environ),
            hport,
        )
        bare_ws = self._spawn(
            "bare_ws",
            [PYTHON, "-m", "bench.workday.baselines", str(wport)],
            dict(os.environ),
            wport,
        )
        common = {"worker": pids["worker"], "redis": pids["redis"]}
        n1, _n2 = urls["nodes"]
        self.targets = [
            (
                Target(
                    "bare",
                    [f"http://127.0.0.1:{hport}"],
                    [f"ws://127.0.0.1:{wport}/"],
                    {"hello0": hello.pid, "bare_ws0": bare_ws.pid},
                ),
                self.args.server_cpus,
            ),
            (
                Target(
                    "embedded",
                    [f"http://127.0.0.1:{port}"],
                    [f"ws://127.0.0.1:{port}/ws/"],
                    {"daphne0": embedded.pid, **common},
                ),
                self.args.server_cpus,
            ),
            (
                Target(
                    "node1",
                    [n1["pages"]],
                    [n1["ws"]],
                    {"pages1": pids["node1-pages"], "daphne1": pids["node1-daphne"], **common},
                ),
                self.args.server_cpus,
            ),
            (
                Target(
                    "nodes2",
                    [urls["url"]],
                    [urls["ws"]],
                    {
                        "nginx": pids["nginx"],
                        "pages1": pids["node1-pages"],
                        "daphne1": pids["node1-daphne"],
                        "pages2": pids["node2-pages"],
                        "daphne2": pids["node2-daphne"],
                        **common,
                    },
                ),
                self.args.two_node_cpus,
            ),
        ]
        self.all_pids = [*pids.values(), postmaster, *(p.pid for p in self.extra)]

    def _spawn(self, name, command, env, port):
        log = (self.dir / "logs" / f"bench-{name}.log").open("ab")
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, stdin=subprocess.DEVNULL
        )
        log.close()
        self.extra.append(process)
        wait_port(port, 60)
        return process

    def load_data(self) -> dict:
        started = time.perf_counter()
        done = subprocess.run(
            [PYTHON, "-m", "bench.workday.data", "--size", self.args.size],
            cwd=ROOT,
            env={**self.cluster.env(), "TRANSVERSE_DEMO": "true"},
            check=True,
            capture_output=True,
            text=True,
        )
        print(f"data loaded in {time.perf_counter() - started:.0f} s", flush=True)
        path = Path(done.stdout.strip().splitlines()[-1])
        data = json.loads(path.read_text())
        path.unlink()
        return data

    def stop(self):
        for process in self.extra:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.extra:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.cluster.stop()


def memory(figure) -> str:
    return ", ".join(
        f"{k} {v['rss_mib']:.0f}"
        for k, v in figure["processes"].items()
        if "rss_mib" in v and k != "generator"
    )


def summary(args, commit, date, figures, load_start) -> str:
    caps = capacities(figures)
    lines = [
        f"# Working day, one node versus two, size {args.size}, speed x{args.speed}, "
        f"server CPUs {args.server_cpus} (nodes2: {args.two_node_cpus}), generator CPU "
        f"{args.client_cpu}, commit {commit}, {date}",
        "",
        "| target | agents (x speed) | pages/s | page p50/p95/p99 ms | chat delivery p99 ms "
        "| errors | server CPU % | CPU ms/page | agents per core by CPU | RSS MiB | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        cpu = ", ".join(
            f"{k} {v['cpu_pct']}" for k, v in f["processes"].items() if k != "generator"
        )
        lines.append(
            f"| {f['target']} | {f['agents']} ({f['agents_equivalent']:.0f}) | "
            f"{f['pages_per_s']} | {f['page_p50_ms']}/{f['page_p95_ms']}/{f['page_p99_ms']} | "
            f"{f['chat_delivery_p99_ms']} | {f['errors']} | {cpu} | "
            f"{f['server_cpu_ms_per_page']} | {f['agents_per_core_by_cpu']} | {memory(f)} | "
            f"{f['load'][0]} |"
        )
    lines += ["", "Ratios at each step (CPU ms per page; pages/s):", ""]
    by = {(f["target"], f["agents"]): f for f in figures}
    for count in sorted({f["agents"] for f in figures}):
        get = {t: by.get((t, count)) for t in ("bare", "embedded", "node1", "nodes2")}

        def ratio(a, b, key, get=get):
            if get[a] and get[b] and get[a][key] and get[b][key]:
                return round(get[a][key] / get[b][key], 2)
            return None

        lines.append(
            f"- {count} sockets: CPU/page node1÷embedded "
            f"{ratio('node1', 'embedded', 'server_cpu_ms_per_page')}, "
            f"nodes2÷node1 {ratio('nodes2', 'node1', 'server_cpu_ms_per_page')}, "
            f"embedded÷bare {ratio('embedded', 'bare', 'server_cpu_ms_per_page')}; "
            f"pages/s nodes2÷node1 {ratio('nodes2', 'node1', 'pages_per_s')}, "
            f"node1÷embedded {ratio('node1', 'embedded', 'pages_per_s')}"
        )
    lines += [
        "",
        f"Capacity (largest step within the limits, sockets): {caps}; speed x{args.speed}.",
        f"Load average at the start {load_start[0]:.2f}, at the end {os.getloadavg()[0]:.2f}.",
        f"Agents per core by CPU: 1000 / (CPU ms per page x {RATES['page'] + RATES['search']:.2f}"
        " / 60).",
    ]
    errors = {f["id"]: f["error_kinds"] for f in figures if f["errors"]}
    if errors:
        lines += ["", f"Errors: {json.dumps(errors, ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"


async def main(args):
    record = Run("workday", args.size, label=args.label or "nodes", history=not args.no_history)
    os.sched_setaffinity(0, {args.client_cpu})
    bench = Bench(args)
    figures = []
    load_start = os.getloadavg()
    try:
        bench.start()
        pin_all(bench.all_pids, args.server_cpus)
        data = bench.load_data()
        agents_spec = data["agents"]
        steps = [int(x) for x in args.steps.split(",")]
        for count in steps:
            for target, cpus in bench.targets:
                if target.name not in args.targets.split(","):
                    continue
                pin_all(bench.all_pids, cpus)
                database_url = bench.database_url
                figure = await run_step(target, agents_spec, count, data, args, database_url)
                figure.update(
                    id=f"workday.nodes.{target.name}.{count}",
                    size=args.size,
                    server_cpus=cpus,
                    commit=record.commit,
                    date=record.date,
                )
                figures.append(record.add(figure))
                await asyncio.sleep(3)
    finally:
        bench.stop()
    record.finish(
        summary(args, record.commit, record.date, figures, load_start),
        capacity=capacities(figures),
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    cpus = lambda s: [int(x) for x in s.split(",")]  # noqa: E731
    parser.add_argument("--size", choices=["S", "M", "L"], default="S")
    parser.add_argument("--steps", default="10,30", help="sockets at each step")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds a step")
    parser.add_argument("--warmup", type=float, default=8)
    parser.add_argument("--speed", type=float, default=10.0, help="think times divided by this")
    parser.add_argument("--server-cpus", type=cpus, default=[1])
    parser.add_argument("--two-node-cpus", type=cpus, default=[0, 1])
    parser.add_argument("--client-cpu", type=int, default=0)
    parser.add_argument("--targets", default="bare,embedded,node1,nodes2")
    parser.add_argument("--pool", type=int, default=32, help="HTTP connections per node")
    parser.add_argument("--batch", type=int, default=50, help="sockets opened at once")
    add_result_arguments(parser)
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    asyncio.run(main(arguments))
