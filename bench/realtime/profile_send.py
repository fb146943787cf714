"""Where the send path spends its time: py-spy samples a real daphne while a client sends.

    .venv/bin/python -m bench.realtime.profile_send --count 2000 --py-spy PATH/py-spy

Starts the benchmark cluster (our own Redis, a database of our own, one daphne on CPU 1),
runs the closed-loop send of bench.realtime.swarm against it and writes py-spy's
collapsed stacks (all threads, so the database thread is included) to --out; the summary
printed at the end lists the functions with the most samples.
"""

import argparse
import asyncio
import collections
import os
import subprocess
from pathlib import Path

from bench.realtime.cluster import cluster
from bench.realtime.swarm import SENDERS, SETTINGS, round_trips


def summarise(path: Path, top: int = 40) -> str:
    inclusive, total = collections.Counter(), 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        count = int(count)
        total += count
        for frame in set(stack.split(";")):
            inclusive[frame] += count
    rows = [f"{n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    return f"{total} samples\n" + "\n".join(rows)


async def drive(server, run, count):
    senders = run["agents"][:SENDERS]
    rate, _latencies = await round_trips(server, senders, run["rooms"][20], count)
    return rate


def main(count: int, py_spy: str, out: Path):
    os.sched_setaffinity(0, {0})
    with cluster(agents=SENDERS + 2, rooms=[20], servers=1, cpus=(1,), **SETTINGS) as run:
        server = run["servers"][0]
        asyncio.run(drive(server, run, 100))  # warm up: imports, connections
        options = ["--format", "raw", "--rate", "200", "--threads", "--idle"]
        spy = subprocess.Popen(
            [py_spy, "record", "--pid", str(server.process.pid), *options, "--output", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            rate = asyncio.run(drive(server, run, count))
        finally:
            spy.send_signal(2)
            spy.wait(30)
    print(f"{rate:.1f} messages/s while sampled")
    print(summarise(out))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--py-spy", default="py-spy")
    parser.add_argument("--out", type=Path, default=Path("/tmp/send-profile.txt"))
    args = parser.parse_args()
    main(args.count, args.py_spy, args.out)
