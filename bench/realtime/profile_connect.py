"""Where a socket's connection and disconnection spend their time: py-spy samples a real
daphne while clients open and close sockets in waves.

    .venv/bin/python -m bench.realtime.profile_connect --count 1000 --py-spy .venv/bin/py-spy

Starts the benchmark cluster (our own Redis, a database of our own, one daphne on CPU 1,
agents in the rooms of the swarm), opens --count sockets --batch at a time, closes them,
and prints sockets/s for each half with the functions that have the most samples (all
threads, so the database threads are included). Collapsed stacks go to --out.
"""

import argparse
import asyncio
import os
import subprocess
import time
from pathlib import Path

from bench.realtime.cluster import cluster
from bench.realtime.profile_send import summarise
from bench.realtime.swarm import SETTINGS, close_all, open_many


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def cycle(server, agents, batch):
    """(sockets opened/s, seconds, server CPU ms per open, per close)."""
    pid = server.process.pid
    cpu0, started = cpu_seconds(pid), time.perf_counter()
    clients = await open_many(server, agents, batch=batch)
    opened, cpu1 = time.perf_counter(), cpu_seconds(pid)
    await close_all(clients)
    await asyncio.sleep(3)  # the server's disconnect work runs after the close frames
    cpu2 = cpu_seconds(pid)
    per = 1000 / len(agents)
    took = opened - started
    return len(agents) / took, took, (cpu1 - cpu0) * per, (cpu2 - cpu1) * per


def main(count: int, batch: int, py_spy: str, out: Path, idle: bool):
    os.sched_setaffinity(0, {0})
    rooms = [2, 10, 20, 200, 1000]
    with cluster(agents=count, rooms=rooms, servers=1, cpus=(1,), **SETTINGS) as run:
        server, agents = run["servers"][0], run["agents"]
        asyncio.run(cycle(server, agents[:100], batch))  # warm up: imports, connections
        options = ["--format", "raw", "--rate", "200", "--threads"] + (["--idle"] if idle else [])
        spy = subprocess.Popen(
            [py_spy, "record", "--pid", str(server.process.pid), *options, "--output", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(1)
            rate, took, cpu_open, cpu_close = asyncio.run(cycle(server, agents, batch))
        finally:
            spy.send_signal(2)
            spy.wait(30)
    print(f"{rate:.1f} sockets opened/s while sampled ({took:.1f} s for {count})")
    print(f"server CPU {cpu_open:.2f} ms per open, {cpu_close:.2f} ms per close (with py-spy)")
    print(summarise(out, top=70))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--py-spy", default="py-spy")
    parser.add_argument("--out", type=Path, default=Path("/tmp/connect-profile.txt"))
    parser.add_argument("--idle", action="store_true", help="sample waiting threads too")
    args = parser.parse_args()
    main(args.count, args.batch, args.py_spy, args.out, args.idle)
