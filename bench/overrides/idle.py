"""Memory of an idle socket: the site's flat WebSocket stack against Channels' own.

    .venv/bin/python -m bench.overrides.idle --sockets 2000 --pairs 5

bench/realtime's figure (a) (RSS growth per authenticated idle socket, after a first
100 have paid the fixed costs), for three applications served by daphne in turn, each
measurement on a fresh process (A B C A B C ...):

- flat: the site (intranet.asgi: realtime/routing.py's flat stack, TransverseConsumer's
  one-frame loop);
- channels-routing: Channels' routing stack around the same consumer;
- channels: Channels' routing stack and Channels' consumer loop (the baseline: what the
  site would be without both overrides). See bench/overrides/channels_stack.py.

Server on CPU 1, clients on CPU 0. Needs PostgreSQL and redis-server, as bench/realtime.
"""

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess

from bench.common import Run, add_result_arguments
from bench.realtime.cluster import LISTEN_BACKLOG, PYTHON, ROOT, Daphne, cluster, wait_port
from bench.realtime.swarm import SETTINGS, idle

VARIANTS = {
    "flat": "intranet.asgi:application",
    "channels-routing": "bench.overrides.channels_stack:routing",
    "channels": "bench.overrides.channels_stack:application",
}


class AppDaphne(Daphne):
    """bench/realtime's daphne, serving the given ASGI application."""

    def __init__(self, env, app: str, *, cpu: int):
        super().__init__(env, cpu=cpu)
        self.app = app

    def start(self) -> None:
        command = [
            *(["taskset", "-c", str(self.cpu)] if shutil.which("taskset") else []),
            *(PYTHON, "-m", "daphne", "--endpoint"),
            f"tcp:port={self.port}:interface=127.0.0.1:backlog={LISTEN_BACKLOG}",
            self.app,
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        wait_port(self.port, 30)


async def measure(sockets: int, pairs: int) -> dict[str, list[float]]:
    os.sched_setaffinity(0, {0})
    kib: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with cluster(agents=sockets + 2, servers=0, **SETTINGS) as run:
        agents = run["agents"][:sockets]
        for _ in range(pairs):
            for name, app in VARIANTS.items():
                server = AppDaphne(run["env"], app, cpu=1)
                server.start()
                try:
                    kib[name].append(await idle(server, server.process.pid, agents))
                finally:
                    server.stop()
                print(name, round(kib[name][-1], 2), flush=True)
    return kib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=5)
    add_result_arguments(parser)
    arguments = parser.parse_args()
    label = "-".join(filter(None, ["idle", arguments.label]))
    run = Run("overrides", arguments.sockets, label=label, history=not arguments.no_history)
    kib = asyncio.run(measure(arguments.sockets, arguments.pairs))
    base = kib["channels"]
    lines = [
        f"## idle socket: KiB per socket, {arguments.sockets} sockets, {arguments.pairs} "
        f"rounds ({run.commit}, {run.date})",
        "",
        "| stack | KiB per socket (median) | all runs | ratio to channels (median) | spread |",
        "|---|---|---|---|---|",
    ]
    for name, values in kib.items():
        ratios = [v / b for v, b in zip(values, base, strict=True)]
        figure = run.add(
            {
                "id": f"idle_kib_per_socket_{name}",
                "size": arguments.sockets,
                "unit": "KiB/socket",
                "baseline": round(statistics.median(base), 2),
                "value": round(statistics.median(values), 2),
                "ratio": round(statistics.median(ratios), 3),
                "spread": [round(min(ratios), 3), round(max(ratios), 3)],
                "runs": [round(v, 2) for v in values],
                "commit": run.commit,
                "date": run.date,
            }
        )
        lines.append(
            f"| {name} | {figure['value']} | {', '.join(str(v) for v in figure['runs'])} | "
            f"{figure['ratio']} | {figure['spread'][0]}-{figure['spread'][1]} |"
        )
    run.finish("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
