"""bench/realtime: an asyncio swarm of WebSocket clients against real daphne processes,
each figure beside a bare websockets-library server doing the same socket work in the same
run (see baseline_server.py). Prints one JSON line per figure and a Markdown summary.

    .venv/bin/python -m bench.realtime.swarm --size S      # CI-sized, a couple of minutes
    .venv/bin/python -m bench.realtime.swarm --size M      # by hand

Server on CPU 1, clients on CPU 0 (taskset), as bench notes ask. Needs PostgreSQL on
127.0.0.1:5432 and redis-server (our own, on a free port).
"""

import argparse
import asyncio
import datetime
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.realtime.client import Client
from bench.realtime.cluster import ROOT, cluster, free_port, wait_port

SIZES = {
    # idle sockets, round-trip messages, fan-out rooms, messages per room, reconnect clients,
    # (f) messages and forced disconnects, (g) rows
    "S": {
        "idle": 500,
        "rtt": 500,
        "rooms": [10, 200],
        "fan": 20,
        "storm": 300,
        "f_msgs": 1000,
        "f_drops": 20,
        "rows": 100_000,
    },
    "M": {
        "idle": 2000,
        "rtt": 2000,
        "rooms": [10, 200, 1000],
        "fan": 20,
        "storm": 2000,
        "f_msgs": 5000,
        "f_drops": 100,
        "rows": 1_000_000,
    },
}
SETTINGS = {
    "TRANSVERSE_CHAT_RATE_PER_MINUTE": 10**9,
    "TRANSVERSE_WS_RATE": 10**6,
    "TRANSVERSE_WS_BURST": 10**6,
}
RESULTS = []


def commit() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def pct(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


def record(id_, size, baseline, value, unit, latencies=None, **extra):
    ratio = round(value / baseline, 3) if baseline else None
    row = {
        "id": id_,
        "size": size,
        "unit": unit,
        "baseline": round(baseline, 2) if baseline else None,
        "value": round(value, 2),
        "ratio": ratio,
        "p50": pct(latencies, 0.5),
        "p95": pct(latencies, 0.95),
        "p99": pct(latencies, 0.99),
        "commit": commit(),
        "date": datetime.date.today().isoformat(),
        **extra,
    }
    RESULTS.append(row)
    print(json.dumps(row), flush=True)


class Bare:
    """The baseline server, as a process pinned like daphne."""

    def __init__(self, cpu=1):
        self.port, self.cpu, self.process = free_port(), cpu, None

    def start(self):
        self.process = subprocess.Popen(
            [
                "taskset",
                "-c",
                str(self.cpu),
                sys.executable,
                "-m",
                "bench.realtime.baseline_server",
                str(self.port),
            ],
            cwd=ROOT,
        )
        wait_port(self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def ws_url(self):
        return f"ws://127.0.0.1:{self.port}/"

    origin = "http://127.0.0.1"


async def open_many(server, agents, *, batch=50):
    clients = [Client(server, key, pk) for pk, key in agents]
    for start in range(0, len(clients), batch):
        await asyncio.gather(*(c.open(timeout=60) for c in clients[start : start + batch]))
    return clients


async def close_all(clients):
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


# (a) idle authenticated connections ----------------------------------------------------
async def idle(server, pid, agents):
    before = rss_kib(pid)
    clients = await open_many(server, agents)
    await asyncio.sleep(2)
    after = rss_kib(pid)
    await close_all(clients)
    return (after - before) / len(agents)


# (b) round trip: receive, validate, store, broadcast, acknowledge -----------------------
async def round_trips(server, sender, peer, room, count, *, rate=None, concurrency=10):
    a = Client(server, sender[1], sender[0])
    b = Client(server, peer[1], peer[0])
    await a.open()
    await b.open()
    latencies, pending = [], {}
    done = asyncio.Event()

    async def reader():
        while len(latencies) < count:
            frame = await a.frames.get()
            if frame.get("type") == "ack" and frame.get("ref") in pending:
                latencies.append(time.perf_counter() - pending.pop(frame["ref"]))
        done.set()

    task = asyncio.ensure_future(reader())
    slots, releasers = asyncio.Semaphore(concurrency), set()
    started = time.perf_counter()
    run = f"{time.time_ns()}"
    for n in range(count):
        if rate:
            await asyncio.sleep(max(0, started + n / rate - time.perf_counter()))
        else:
            await slots.acquire()
        ref = f"r{n}"
        pending[ref] = time.perf_counter()
        await a.send(
            {
                "action": "send",
                "conversation": room,
                "body": f"message {n}",
                "key": f"b{run}-{n:07d}",
                "ref": ref,
            }
        )
        if not rate:  # a closed loop: the slot is freed when the ack comes back
            releasers.add(asyncio.ensure_future(_release_on_ack(pending, ref, slots)))
    await asyncio.wait_for(done.wait(), 120)
    elapsed = time.perf_counter() - started
    task.cancel()
    await a.close()
    await b.close()
    return count / elapsed, latencies


async def _release_on_ack(pending, ref, slots):
    while ref in pending:
        await asyncio.sleep(0.0005)
    slots.release()


# (c)/(d) fan-out ------------------------------------------------------------------------
async def fan_out(servers, agents, room, messages, *, rate=None):
    """Members spread over servers; the first sends; deliveries counted at every member."""
    members = []
    for n, (pk, key) in enumerate(agents):
        members.append(Client(servers[n % len(servers)], key, pk))
    for start in range(0, len(members), 50):
        await asyncio.gather(*(m.open(timeout=60) for m in members[start : start + 50]))
    sender, receivers = members[0], members[1:]
    sent_at, complete = {}, []
    got = {}

    async def listen(client):
        while True:
            frame = await client.frames.get()
            if frame.get("type") == "message.created":
                key = frame["message"]["key"]
                got.setdefault(key, []).append(time.perf_counter())
                if len(got[key]) == len(receivers):
                    complete.append(time.perf_counter() - sent_at[key])
            elif frame.get("type") == "_closed":
                return

    listeners = [asyncio.ensure_future(listen(r)) for r in receivers]
    run = f"{time.time_ns()}"
    started = time.perf_counter()
    for n in range(messages):
        key = f"f{run}-{n:06d}"
        sent_at[key] = time.perf_counter()
        await sender.send({"action": "send", "conversation": room, "body": "diffusion", "key": key})
        await sender.expect("ack", timeout=30)
        if rate:
            await asyncio.sleep(max(0, started + (n + 1) / rate - time.perf_counter()))
    deadline = time.perf_counter() + 30
    while len(complete) < messages and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    last = max((max(v) for v in got.values()), default=time.perf_counter())
    delivered = sum(len(v) for v in got.values())
    expected = messages * len(receivers)
    latencies = [t - sent_at[k] for k, v in got.items() for t in v]
    for task in listeners:
        task.cancel()
    await close_all(members)
    return delivered / (last - started), delivered / expected, complete, latencies


# (f) loss / duplication / order under forced disconnects --------------------------------
async def guarantee(server, agents, room, messages, drops):
    """Clients send in turn; some are disconnected by force and replay from their cursor."""
    clients = [Client(server, key, pk) for pk, key in agents]
    for c in clients:
        await c.open()
        await c.send({"action": "sync", "cursors": {str(room): 0}})
        c.cursor = (await c.expect("replay"))["cursor"]
        c.seen = []
    run = f"{time.time_ns()}"
    sent = []
    drop_every = max(1, messages // drops)

    def absorb(client, message):
        client.seen.append(message["seq"])

    async def drain(client, wait=0.0):
        await asyncio.sleep(wait)
        while not client.frames.empty():
            frame = client.frames.get_nowait()
            if frame.get("type") in {"message.created", "ack"} and frame.get("message"):
                m = frame["message"]
                if m["rev"] == client.cursor + 1:
                    client.cursor = m["rev"]
                    absorb(client, m)
                elif m["rev"] > client.cursor + 1:  # a gap: replay from the cursor
                    await resync(client)
            elif frame.get("type") == "replay":
                for m in frame["messages"]:
                    if m["rev"] > client.cursor:
                        absorb(client, m)
                client.cursor = max(client.cursor, frame["cursor"])

    async def resync(client):
        await client.send({"action": "sync", "cursors": {str(room): client.cursor}})
        frame = await client.expect("replay", timeout=10)
        for m in frame["messages"]:
            if m["rev"] > client.cursor:
                absorb(client, m)
        client.cursor = max(client.cursor, frame["cursor"])

    dropped = 0
    for n in range(messages):
        sender = clients[n % len(clients)]
        key = f"g{run}-{n:06d}"
        await sender.send({"action": "send", "conversation": room, "body": f"m{n}", "key": key})
        sent.append(key)
        if n % drop_every == drop_every - 1 and dropped < drops:
            victim = clients[(n * 7) % len(clients)]
            victim.socket.transport.abort()  # a dropped connection, not a clean close
            await victim.reader
            victim.frames = asyncio.Queue()
            await victim.open()
            await resync(victim)
            dropped += 1
        if n % 50 == 0:
            for c in clients:
                await drain(c)
    await asyncio.sleep(1)
    for c in clients:
        await drain(c)
        await resync(c)
    expected = list(range(1, messages + 1))
    lost = dup = disorder = 0
    for c in clients:
        seqs = list(c.seen)
        mine = [s for s in seqs if s <= messages]
        dup += len(mine) - len(set(mine))
        lost += len(set(expected) - set(mine))
        disorder += sum(1 for x, y in itertools.pairwise(mine) if y < x)
    await close_all(clients)
    return lost, dup, disorder, dropped


# (g) last 50 messages among N ------------------------------------------------------------
def last_page_db_time(database_url, rows):
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        conv = conn.execute(
            "INSERT INTO chat_conversation (kind, name, created_at, last_seq, last_rev) "
            "VALUES ('named', 'bench', now(), %s, %s) RETURNING id",
            (rows, rows),
        ).fetchone()[0]
        sender = conn.execute("SELECT id FROM accounts_user ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO chat_message (conversation_id, seq, rev, sender_id, idempotency_key, body,"
            " body_html, created_at, attachment, attachment_name, attachment_type, attachment_size)"
            " SELECT %s, g, g, %s, 'bench-' || g, 'message ' || g, '<p>message ' || g || '</p>',"
            " now(), '', '', '', 0 FROM generate_series(1, %s) g",
            (conv, sender, rows),
        )
        conn.execute("ANALYZE chat_message")
        query = (
            "SELECT m.*, u.* FROM chat_message m JOIN accounts_user u ON u.id = m.sender_id "
            "WHERE m.conversation_id = %s ORDER BY m.seq DESC LIMIT 50"
        )
        times = []
        for _ in range(20):
            plan = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, (conv,)).fetchone()[0]
            times.append(plan[0]["Execution Time"])
        baseline = []
        for _ in range(20):
            plan = conn.execute(
                "EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM chat_message WHERE id > 0 "
                "ORDER BY id DESC LIMIT 50"
            ).fetchone()[0]
            baseline.append(plan[0]["Execution Time"])
    return statistics.median(times), statistics.median(baseline), conv


async def main(size: str):
    s = SIZES[size]
    agents_needed = max(s["idle"], max(s["rooms"]), s["storm"], 20) + 2
    rooms = sorted(set(s["rooms"] + [2, 20]))
    os.sched_setaffinity(0, {0})
    with cluster(agents=agents_needed, rooms=rooms, servers=2, cpus=(1, 1), **SETTINGS) as run:
        one, two = run["servers"]
        agents = run["agents"]
        bare = Bare()
        bare.start()
        try:
            # (a)
            base = await idle(bare, bare.process.pid, [(0, "")] * s["idle"])
            value = await idle(one, one.process.pid, agents[: s["idle"]])
            record("a_idle_kib_per_socket", s["idle"], base, value, "KiB/socket")
            # (b) throughput, A B A B
            ratios, values, bases = [], [], []
            for _ in range(3):
                b_rate, _ = await round_trips(bare, (0, ""), (0, ""), 0, s["rtt"] // 2)
                d_rate, _ = await round_trips(
                    one, agents[0], agents[1], run["rooms"][2], s["rtt"] // 2
                )
                bases.append(b_rate)
                values.append(d_rate)
                ratios.append(d_rate / b_rate)
            record(
                "b_send_round_trip_per_s",
                s["rtt"],
                statistics.median(bases),
                statistics.median(values),
                "messages/s",
                spread=[round(min(ratios), 3), round(max(ratios), 3)],
            )
            _, base_lat = await round_trips(bare, (0, ""), (0, ""), 0, 500, rate=100)
            _, lat = await round_trips(one, agents[0], agents[1], run["rooms"][2], 500, rate=100)
            record(
                "b_round_trip_latency_at_100_per_s",
                500,
                pct(base_lat, 0.99),
                pct(lat, 0.99),
                "ms p99",
                latencies=lat,
            )
            # (c) fan-out on one process, (d) across two processes through Redis
            for members in s["rooms"]:
                room = run["rooms"][members]
                base_rate, _base_ratio, base_done, _ = await fan_out(
                    [bare], [(0, "")] * members, 0, s["fan"]
                )
                rate, ratio, done, lat = await fan_out([one], agents[:members], room, s["fan"])
                record(
                    f"c_fanout_{members}_deliveries_per_s",
                    members,
                    base_rate,
                    rate,
                    "deliveries/s",
                    latencies=lat,
                    delivered_ratio=round(ratio, 4),
                    full_delivery_p99_ms=pct(done, 0.99),
                    baseline_full_delivery_p99_ms=pct(base_done, 0.99),
                )
                rate2, ratio2, done2, lat2 = await fan_out(
                    [one, two], agents[:members], room, s["fan"]
                )
                record(
                    f"d_fanout_{members}_two_processes_redis",
                    members,
                    base_rate,
                    rate2,
                    "deliveries/s",
                    latencies=lat2,
                    delivered_ratio=round(ratio2, 4),
                    full_delivery_p99_ms=pct(done2, 0.99),
                )
            # (f)
            lost, dup, disorder, dropped = await guarantee(
                one, agents[:20], run["rooms"][20], s["f_msgs"], s["f_drops"]
            )
            record(
                "f_lost_duplicated_out_of_order",
                s["f_msgs"],
                None,
                lost + dup + disorder,
                "messages",
                lost=lost,
                duplicated=dup,
                out_of_order=disorder,
                forced_disconnects=dropped,
            )
            # (e) reconnect storm after a restart
            clients = await open_many(one, agents[: s["storm"]])
            one.stop()
            await asyncio.sleep(0.5)
            one.start()
            started = time.perf_counter()
            failures = 0

            async def back(c):
                nonlocal failures
                for _attempt in range(20):
                    try:
                        await c.open(timeout=10)
                        return
                    except Exception:
                        await asyncio.sleep(0.2 + random.random())  # jittered back-off
                failures += 1

            for c in clients:
                c.frames = asyncio.Queue()
            await asyncio.gather(*(back(c) for c in clients))
            storm = time.perf_counter() - started
            await close_all(clients)
            record("e_reconnect_storm_seconds", s["storm"], None, storm, "s", failures=failures)
            # (g)
            db_ms, raw_ms, _ = last_page_db_time(run["database"].url, s["rows"])
            record("g_last_50_of_n_db_ms", s["rows"], raw_ms, db_ms, "ms")
        finally:
            bare.stop()
    summary = ["| figure | size | baseline | value | ratio | p99 ms |", "|---|---|---|---|---|---|"]
    for r in RESULTS:
        summary.append(
            f"| {r['id']} | {r['size']} | {r['baseline']} | {r['value']} {r['unit']} | "
            f"{r['ratio']} | {r['p99']} |"
        )
    print("\n".join(summary))
    out = ROOT / "bench" / "results" / f"realtime-{size}-{datetime.date.today().isoformat()}.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in RESULTS))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    asyncio.run(main(parser.parse_args().size))
