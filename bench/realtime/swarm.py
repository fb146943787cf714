"""bench/realtime: an asyncio swarm of WebSocket clients against real daphne processes,
each figure beside a bare websockets-library server doing the same socket work in the same
run (see baseline_server.py). Prints one JSON line per figure and a Markdown summary, writes
both to bench/results/tmp/ and appends the run to bench/results/realtime-history.jsonl
(bench/README.md).

    .venv/bin/python -m bench.realtime.swarm --size S      # CI-sized, a couple of minutes
    .venv/bin/python -m bench.realtime.swarm --size M      # by hand

Server on CPU 1, clients on CPU 0 (taskset), as bench notes ask. Needs PostgreSQL on
127.0.0.1:5432 and redis-server (our own, on a free port).
"""

import argparse
import asyncio
import collections
import itertools
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import Run, add_result_arguments, percentile_ms
from bench.realtime.client import Client
from bench.realtime.cluster import LISTEN_BACKLOG, ROOT, cluster, free_port, wait_port

SIZES = {
    # idle sockets, round-trip messages, fan-out rooms, messages per room, reconnect clients,
    # (f) messages and forced disconnects, (g) rows
    "S": {
        "idle": 500,
        "rtt": 500,
        "rooms": [10, 200],
        "fan": 20,
        "fan_deliveries": 5_000,
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
        "fan_deliveries": 20_000,
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
RUN: list[Run] = []  # the run being measured, set by main()
SENDERS = 10  # sockets sending at once in (b), each with up to 2 sends in flight


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def record(id_, size, baseline, value, unit, latencies=None, **extra):
    ratio = round(value / baseline, 3) if baseline else None
    run = RUN[0]
    run.add(
        {
            "id": id_,
            "size": size,
            "unit": unit,
            "baseline": round(baseline, 2) if baseline else None,
            "value": round(value, 2),
            "ratio": ratio,
            "p50": percentile_ms(latencies, 0.5),
            "p95": percentile_ms(latencies, 0.95),
            "p99": percentile_ms(latencies, 0.99),
            "commit": run.commit,
            "date": run.date,
            **extra,
        }
    )


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
                str(LISTEN_BACKLOG),
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


def error_kind(exc: BaseException) -> str:
    """A short label for why an opening failed: the exception's class and first words."""
    text = str(exc).split("\n")[0][:60]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def log_summary(log: Path | None) -> dict:
    """Counts of the server log's error lines, by their last line (the exception)."""
    if log is None or not log.exists():
        return {}
    counts: collections.Counter = collections.Counter()
    for line in log.read_text(errors="replace").splitlines():
        if "Error" in line or "Exception" in line or "WARNING" in line or "ERROR" in line:
            counts[line.strip()[:100]] += 1
    return dict(counts.most_common(6))


async def open_many(server, agents, *, batch=50):
    clients = [Client(server, key, pk) for pk, key in agents]
    for start in range(0, len(clients), batch):
        await asyncio.gather(*(c.open(timeout=60) for c in clients[start : start + batch]))
    return clients


async def close_all(clients):
    await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)


# (a) idle authenticated connections ----------------------------------------------------
async def idle(server, pid, agents):
    """RSS growth per open socket, measured after a first batch of 100 sockets has paid
    the fixed costs (database threads and their connections, imports, caches) that are
    not per socket; the first batch stays open and is not counted."""
    warm = await open_many(server, agents[:100])
    await asyncio.sleep(1)
    before = rss_kib(pid)
    clients = await open_many(server, agents[100:])
    await asyncio.sleep(2)
    after = rss_kib(pid)
    await close_all(warm + clients)
    return (after - before) / len(clients)


# (b) round trip: receive, validate, store, broadcast, acknowledge -----------------------
async def round_trips(server, senders, room, count, *, rate=None, in_flight=2):
    """Messages from several sockets (a process serves many agents), each with at most
    `in_flight` sends waiting for their ack (closed loop), or `rate` a second in all
    (open loop, for latencies). `room`: one conversation for all, or a list (socket i
    sends to room[i]). Returns (messages/s, latencies)."""
    clients = [Client(server, key, pk) for pk, key in senders]
    for client in clients:
        await client.open()
    latencies, run = [], f"{time.time_ns()}"
    started = time.perf_counter()

    async def reader(client, pending):
        while True:
            frame = await client.frames.get()
            if frame.get("type") == "ack" and frame.get("ref") in pending:
                sent_at, done = pending.pop(frame["ref"])
                latencies.append(time.perf_counter() - sent_at)
                done.set_result(None)
            elif frame.get("type") == "_closed":
                return

    async def sender(index, client, numbers):
        pending, window = {}, asyncio.Semaphore(in_flight)
        task = asyncio.ensure_future(reader(client, pending))
        waits = []
        for n in numbers:
            if rate:
                await asyncio.sleep(max(0, started + n / rate - time.perf_counter()))
            else:
                await window.acquire()
            done = asyncio.get_running_loop().create_future()
            done.add_done_callback(lambda _f: window.release())
            pending[f"r{n}"] = (time.perf_counter(), done)
            waits.append(done)
            target = room[index % len(room)] if isinstance(room, list) else room
            frame = {
                "action": "send",
                "conversation": target,
                "body": f"message {n}",
                "key": f"b{run}-{n:07d}",
                "ref": f"r{n}",
            }
            await client.send(frame)
        await asyncio.wait_for(asyncio.gather(*waits), 120)
        task.cancel()

    shares = [range(i, count, len(clients)) for i in range(len(clients))]
    await asyncio.gather(*(sender(i, c, shares[i]) for i, c in enumerate(clients)))
    elapsed = time.perf_counter() - started
    await close_all(clients)
    return count / elapsed, latencies


async def send_rates(bare, one, senders, room, count, pairs=5):
    """(b) The bare server's and daphne's send rates, interleaved `pairs` times."""
    bases, values = [], []
    for _ in range(pairs):
        bare_rate, _ = await round_trips(bare, [(0, "")] * SENDERS, 0, count)
        rate, _ = await round_trips(one, senders, room, count)
        bases.append(bare_rate)
        values.append(rate)
    return bases, values


# (c)/(d) fan-out ------------------------------------------------------------------------
async def fan_out(servers, agents, room, messages, *, rate=None, senders=1):
    """Members spread over servers; the first `senders` members send in turn, each waiting
    for its ack; deliveries counted at every other member (a sender gets its ack only).

    One sender at a fixed `rate` measures latency; several, as fast as acks come back,
    measure throughput (one socket's frames are handled one at a time, so a lone sender
    measures its round trip, not the room's fan-out).
    """
    members = []
    for n, (pk, key) in enumerate(agents):
        members.append(Client(servers[n % len(servers)], key, pk))
    for start in range(0, len(members), 50):
        await asyncio.gather(*(m.open(timeout=60) for m in members[start : start + 50]))
    readers = len(members) - 1
    sent_at, complete = {}, []
    got = {}

    def listener(client):
        def listen(frame):
            if frame.get("type") != "message.created":
                client.frames.put_nowait(frame)  # acks, for expect()
                return
            key = frame["message"]["key"]
            got.setdefault(key, []).append(time.perf_counter())
            if len(got[key]) == readers:
                complete.append(time.perf_counter() - sent_at[key])

        return listen

    for member in members:
        member.on_frame = listener(member)
    run = f"{time.time_ns()}"
    started = time.perf_counter()

    async def talk(first, sender):
        for n in range(first, messages, senders):
            key = f"f{run}-{n:06d}"
            sent_at[key] = time.perf_counter()
            frame = {"action": "send", "conversation": room, "body": "diffusion", "key": key}
            await sender.send(frame)
            await sender.expect("ack", timeout=30)
            if rate:
                await asyncio.sleep(max(0, started + (n + 1) / rate - time.perf_counter()))

    await asyncio.gather(*(talk(n, sender) for n, sender in enumerate(members[:senders])))
    deadline = time.perf_counter() + 30
    while len(complete) < messages and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    last = max((max(v) for v in got.values()), default=time.perf_counter())
    delivered = sum(len(v) for v in got.values())
    expected = messages * readers
    latencies = [t - sent_at[k] for k, v in got.items() for t in v]
    await close_all(members)
    return delivered / (last - started), delivered / expected, complete, latencies


# (f) loss / duplication / order under forced disconnects --------------------------------
async def guarantee(server, agents, room, messages, drops):
    """Clients send in turn; some are disconnected by force and replay from their cursor.

    Counted by idempotency key over the messages of this run: lost (sent, never applied
    by a client), duplicated (applied twice), out of order (a lower seq after a higher).
    """
    clients = [Client(server, key, pk) for pk, key in agents]
    run = f"g{time.time_ns()}-"
    for c in clients:
        await c.open()
        c.cursor, c.seen = 0, []

    def absorb(client, message):
        if message["key"].startswith(run):
            client.seen.append((message["seq"], message["key"]))

    async def resync(client):
        while True:
            await client.send({"action": "sync", "cursors": {str(room): client.cursor}})
            frame = await client.expect("replay", timeout=30)
            for m in frame["messages"]:
                if m["rev"] > client.cursor:
                    absorb(client, m)
                    client.cursor = m["rev"]
            client.cursor = max(client.cursor, frame["cursor"])
            if not frame["truncated"]:
                return

    async def drain(client):
        while not client.frames.empty():
            frame = client.frames.get_nowait()
            if frame.get("type") in {"message.created", "ack"} and frame.get("message"):
                m = frame["message"]
                if m["rev"] == client.cursor + 1:
                    client.cursor = m["rev"]
                    absorb(client, m)
                elif m["rev"] > client.cursor + 1:  # a gap: replay from the cursor
                    await resync(client)

    for c in clients:
        await resync(c)
    sent, dropped, drop_every = [], 0, max(1, messages // drops)
    for n in range(messages):
        sender = clients[n % len(clients)]
        key = f"{run}{n:06d}"
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
    lost = dup = disorder = 0
    for c in clients:
        keys = [k for _seq, k in c.seen]
        dup += len(keys) - len(set(keys))
        lost += len(set(sent) - set(keys))
        disorder += sum(1 for (x, _a), (y, _b) in itertools.pairwise(c.seen) if y < x)
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


async def storm(server, agents) -> dict:
    """(e) Open a socket per agent, restart the server, time until every client is back.

    Clients come back as chat.js does: after 0.5-1.5 s, then with its back-off (0.5 s +
    full jitter up to 1, 2, 4 ... 30 s), each try waiting up to 30 s like a browser;
    a client that fails 11 tries counts as a failure."""
    clients = await open_many(server, agents)
    server.stop()
    await asyncio.sleep(0.5)
    server.start()
    started = time.perf_counter()
    failures, errors, tries, back_at = 0, collections.Counter(), [], []

    async def back(c):
        nonlocal failures
        await asyncio.sleep(0.5 + random.random())
        for attempt in range(1, 12):
            try:
                await c.open(timeout=30)
                tries.append(attempt)
                back_at.append(time.perf_counter() - started)
                return
            except Exception as exc:
                errors[error_kind(exc)] += 1
                ceiling = min(30.0, 2.0 ** min(attempt, 5))
                await asyncio.sleep(0.5 + random.random() * ceiling)
        failures += 1

    for c in clients:
        c.frames = asyncio.Queue()
    await asyncio.gather(*(back(c) for c in clients))
    seconds = time.perf_counter() - started
    await close_all(clients)
    await asyncio.sleep(2)  # the server's disconnect work, before the next figure
    return {
        "seconds": round(seconds, 2),
        "failures": failures,
        "retries": sum(tries) - len(tries),
        "back_p50_s": round(statistics.median(back_at), 2) if back_at else None,
        "errors": dict(errors.most_common(8)),
        "load": round(os.getloadavg()[0], 2),
    }


async def main(
    size: str,
    parts: str = "abcdefg",
    label: str = "",
    pairs: int = 5,
    idle_count=None,
    history=True,
):
    s = dict(SIZES[size])
    if idle_count:  # (a) at the issue's own count: --idle 10000
        s["idle"] = idle_count
    kind = "" if parts == "abcdefg" else parts
    label = "-".join(part for part in (kind, label) if part)
    RUN.append(Run("realtime", size, label=label, history=history))
    load_at_start = os.getloadavg()[0]
    agents_needed = max(s["idle"], max(s["rooms"]), s["storm"], 20) + 2
    # 21: (f) alone in its room; 22..: one room per sender for (b) spread over rooms
    spread = list(range(22, 22 + SENDERS))
    rooms = sorted(set(s["rooms"] + [2, 20, 21] + spread))
    os.sched_setaffinity(0, {0})
    with cluster(agents=agents_needed, rooms=rooms, servers=2, cpus=(1, 1), **SETTINGS) as run:
        one, two = run["servers"]
        agents = run["agents"]
        bare = Bare()
        bare.start()
        try:
            if "a" in parts:
                # (a)
                base = await idle(bare, bare.process.pid, [(0, "")] * s["idle"])
                value = await idle(one, one.process.pid, agents[: s["idle"]])
                record("a_idle_kib_per_socket", s["idle"], base, value, "KiB/socket")
            if "b" in parts:
                # (b) throughput, A B A B; then the same sends, each socket in a
                # conversation of its own: one conversation's row lock orders every send.
                senders = agents[:SENDERS]
                own_rooms = [run["rooms"][size] for size in spread]
                for name, target in (("", run["rooms"][20]), ("_many_rooms", own_rooms)):
                    bases, values = await send_rates(bare, one, senders, target, s["rtt"] // 2)
                    ratios = [v / b for v, b in zip(values, bases, strict=True)]
                    record(
                        f"b_send_round_trip_per_s{name}",
                        s["rtt"],
                        statistics.median(bases),
                        statistics.median(values),
                        "messages/s",
                        spread=[round(min(ratios), 3), round(max(ratios), 3)],
                    )
                _, base_lat = await round_trips(bare, [(0, "")] * SENDERS, 0, 500, rate=100)
                _, lat = await round_trips(one, senders, run["rooms"][20], 500, rate=100)
                record(
                    "b_round_trip_latency_at_100_per_s",
                    500,
                    percentile_ms(base_lat, 0.99),
                    percentile_ms(lat, 0.99),
                    "ms p99",
                    latencies=lat,
                )
            if "c" in parts or "d" in parts:
                # (c) fan-out on one process, (d) across two processes through Redis
                for members in s["rooms"]:
                    room = run["rooms"][members]
                    # Throughput: about s["fan_deliveries"] deliveries, SENDERS members sending.
                    count = max(s["fan"], s["fan_deliveries"] // (members - 1))
                    many = {"senders": min(SENDERS, members)}
                    base_rate, _base_ratio, base_done, _ = await fan_out(
                        [bare], [(0, "")] * members, 0, count, **many
                    )
                    rate, ratio, done, lat = await fan_out(
                        [one], agents[:members], room, count, **many
                    )
                    record(
                        f"c_fanout_{members}_deliveries_per_s",
                        members,
                        base_rate,
                        rate,
                        "deliveries/s",
                        latencies=lat,
                        delivered_ratio=round(ratio, 4),
                        full_delivery_p99_ms=percentile_ms(done, 0.99),
                        baseline_full_delivery_p99_ms=percentile_ms(base_done, 0.99),
                    )
                    # Latency at 1,000 deliveries/s offered (open loop), and how long a
                    # message takes to reach every member when the room is not saturated.
                    offered = 1000 / (members - 1)
                    paced = max(s["fan"], int(offered * 3))  # 3 s at least
                    _r, _q, base_done, base_lat = await fan_out(
                        [bare], [(0, "")] * members, 0, paced, rate=offered
                    )
                    _r, ratio, done, lat = await fan_out(
                        [one], agents[:members], room, paced, rate=offered
                    )
                    record(
                        f"c_fanout_{members}_p99_ms_at_1000_per_s",
                        members,
                        percentile_ms(base_lat, 0.99),
                        percentile_ms(lat, 0.99),
                        "ms p99",
                        latencies=lat,
                        delivered_ratio=round(ratio, 4),
                        full_delivery_p99_ms=percentile_ms(done, 0.99),
                        baseline_full_delivery_p99_ms=percentile_ms(base_done, 0.99),
                        offered_messages_per_s=round(offered, 2),
                    )
                    rate2, ratio2, done2, lat2 = await fan_out(
                        [one, two], agents[:members], room, count, **many
                    )
                    record(
                        f"d_fanout_{members}_two_processes_redis",
                        members,
                        base_rate,
                        rate2,
                        "deliveries/s",
                        latencies=lat2,
                        delivered_ratio=round(ratio2, 4),
                        full_delivery_p99_ms=percentile_ms(done2, 0.99),
                    )
            if "f" in parts:
                # (f)
                lost, dup, disorder, dropped = await guarantee(
                    one, agents[:20], run["rooms"][21], s["f_msgs"], s["f_drops"]
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
            if "e" in parts:
                # (e) reconnect storm after a restart, the bare server's storm beside it
                runs, bases = [], []
                for _ in range(pairs):
                    bases.append(await storm(bare, [(0, "")] * s["storm"]))
                    runs.append(await storm(one, agents[: s["storm"]]))
                values = [r["seconds"] for r in runs]
                base_values = [r["seconds"] for r in bases]
                ratios = [v / b for v, b in zip(values, base_values, strict=True)]
                record(
                    "e_reconnect_storm_seconds",
                    s["storm"],
                    statistics.median(base_values),
                    statistics.median(values),
                    "s",
                    spread=[round(min(ratios), 3), round(max(ratios), 3)],
                    median_ratio=round(statistics.median(ratios), 3),
                    failures=sum(r["failures"] for r in runs),
                    baseline_failures=sum(r["failures"] for r in bases),
                    runs=runs,
                    baseline_runs=[r["seconds"] for r in bases],
                    server_log=log_summary(one.log),
                )
            if "g" in parts:
                # (g)
                db_ms, raw_ms, _ = last_page_db_time(run["database"].url, s["rows"])
                record("g_last_50_of_n_db_ms", s["rows"], raw_ms, db_ms, "ms")
        finally:
            bare.stop()
    summary = ["| figure | size | baseline | value | ratio | p99 ms |", "|---|---|---|---|---|---|"]
    for r in RUN[0].figures:
        summary.append(
            f"| {r['id']} | {r['size']} | {r['baseline']} | {r['value']} {r['unit']} | "
            f"{r['ratio']} | {r['p99']} |"
        )
    loads = f"load average {load_at_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    RUN[0].finish(
        f"# Real-time benchmark, size {size}, {RUN[0].date}, commit {RUN[0].commit}\n\n"
        + "\n".join(summary)
        + f"\n\nMachine: {os.cpu_count()} CPUs, {loads}.\n"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--parts", default="abcdefg", help="figures to run, e.g. bf")
    add_result_arguments(parser)
    parser.add_argument("--pairs", type=int, default=5, help="(e): storms per server")
    parser.add_argument(
        "--idle", type=int, default=None, help="(a): sockets, instead of the size's"
    )
    arguments = parser.parse_args()
    parts = "".join(sorted(set(arguments.parts)))
    # Stopped by SIGTERM as by Ctrl+C: the cluster's processes and database are removed.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    options = {"pairs": arguments.pairs, "idle_count": arguments.idle}
    history = not arguments.no_history
    asyncio.run(main(arguments.size, parts, arguments.label, history=history, **options))
