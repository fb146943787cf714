"""bench/workday: a working day under load. How many agents one Transverse server holds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_workday_s \\
        .venv/bin/python -m bench.workday.run --size S --steps 200,400 --no-history

Why an asyncio swarm and not Locust: it extends bench/realtime (its socket client, its
cluster of daphne processes and private Redis, its bare websockets server), so the chat
protocol, the idempotency keys and the delivery counting are the ones the real-time
benchmark and the multi-process tests already check; one process on one core holds
thousands of open sockets (Locust runs a greenlet per user on gevent, with WebSockets
through a plugin, and a sharded Locust would need the second core that the server is
measured on); and it adds no dependency (the HTTP side is a 100-line keep-alive client,
bench/workday/http.py).

Each simulated agent has a pre-created session (bench/workday/data.py), keeps one socket
open the whole step (ping every 25 s as chat.js; `watch` and `counts` after each page),
and acts at random: independent Poisson processes (exponential think times) of the rates
below, divided by --speed (time compression: --speed 10 makes a 1-minute step hold the
activity of 10 minutes; the sockets stay as many as the agents, so the figures are
reported both in sockets and in rate-equivalent agents, sockets x speed). Pages are GETs of
the real pages (status 200 required), writes are the real forms (CSRF token and Origin, a
302 required), chat goes over the socket (`send`, then the `ack`) and each message's
delivery is measured at every other connected member's socket (group room members, or the
direct conversation's other participant): the chat figure is the p99 of the time from the
send to the last member's delivery.

Steps: for each number of agents, the bare baselines (a Django "hello" served by daphne for
every page and write, a bare websockets server relaying chat to the same rooms:
bench/workday/baselines.py) and then Transverse, each with fresh sockets, on the same
cores, in the same run. Per step: pages/s, p50/p95/p99 per page kind, chat full-delivery
p99, errors, CPU and RSS of each server process, of PostgreSQL (the backends of our
database) and of Redis, and the generator's own CPU (it is the bottleneck above 90 %).
Capacity: the largest step with page p95 <= 300 ms, chat delivery p99 <= 200 ms and no
error.

Servers: by default the run starts its own (daphne processes pinned to --server-cpus,
one worker, a private redis-server); --http URL and --ws URL (each repeatable, one per
node; agent i uses node i mod n) target servers started elsewhere (deploy/ scripts), with
--pids for the processes whose CPU to report. --private-postgres copies DATABASE_URL's
database into a PostgreSQL of the run's own whose postmaster (and so every backend) is
pinned to --server-cpus, so that the server's cores hold PostgreSQL too (at size L:
`--size L --steps 20 --seconds 20 --warmup 5 --speed 10 --private-postgres`).
"""

import argparse
import asyncio
import collections
import importlib.machinery
import importlib.util
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import Run, add_result_arguments, percentile_ms  # noqa: E402
from bench.realtime.client import Client  # noqa: E402
from bench.realtime.cluster import (  # noqa: E402
    LISTEN_BACKLOG,
    PYTHON,
    Redis,
    base_env,
    free_port,
    wait_port,
)
from bench.workday.http import Pool  # noqa: E402

# Actions a minute for one agent (the working day).
RATES = {
    "page": 1.0,
    "search": 1 / 10,
    "chat": 1 / 5,
    "comment": 1 / 20,
    "post": 1 / 60,
    "reaction": 1 / 10,
}
PAGE_KINDS = ["home", "group", "profile", "people", "notifications", "experts"]
WORDS = ["réunion", "budget", "agent", "service", "formation", "projet", "données", "santé"]
PING_SECONDS = 25
LIMITS = {"page_p95_ms": 300, "chat_p99_ms": 200}
POST_LINK = re.compile(rb"/posts/(\d+)/")


# --- servers ------------------------------------------------------------------------------
def pin(pid: int, cpus: set[int]) -> None:
    import psutil

    process = psutil.Process(pid)
    for p in [process, *process.children(recursive=True)]:
        os.sched_setaffinity(p.pid, cpus)


class Target:
    """Where the swarm sends its agents: base URLs, and the processes to measure."""

    def __init__(self, name, http, ws, pids=(), origin=None):
        self.name, self.http, self.ws, self.pids = name, list(http), list(ws), dict(pids)
        self.baseline = name.startswith("bare")

    def node(self, index):
        return self.http[index % len(self.http)], self.ws[index % len(self.ws)]


class Servers:
    """daphne processes (Transverse, and daphne serving the bare hello), the worker, our
    redis-server and the bare websockets server, each pinned to the server's cores."""

    def __init__(self, database_url, processes, cpus, folder):
        self.database_url, self.count, self.cpus, self.folder = (
            database_url,
            processes,
            cpus,
            folder,
        )
        self.started: list[subprocess.Popen] = []
        self.redis = Redis(folder)

    def _spawn(self, name, command, env, port=None):
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115
        process = subprocess.Popen(
            ["taskset", "-c", ",".join(map(str, sorted(self.cpus))), *command],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        self.started.append(process)
        if port:
            wait_port(port, 60)
        return process

    def start(self, settings: dict):
        self.redis.start()
        pin(self.redis.process.pid, self.cpus)
        env = base_env(self.database_url, self.redis.url, **settings)
        pids, http, ws = {"redis": self.redis.process.pid}, [], []
        for n in range(self.count):
            port = free_port()
            endpoint = f"tcp:port={port}:interface=127.0.0.1:backlog={LISTEN_BACKLOG}"
            command = [PYTHON, "-m", "daphne", "--endpoint", endpoint, "intranet.asgi:application"]
            pids[f"daphne{n}"] = self._spawn(f"daphne{n}", command, env, port).pid
            http.append(f"http://127.0.0.1:{port}")
            ws.append(f"ws://127.0.0.1:{port}/ws/")
        worker = self._spawn("worker", [PYTHON, "manage.py", "db_worker"], env)
        pids["worker"] = worker.pid
        self.transverse = Target("transverse", http, ws, pids)
        # The baselines, on the same cores: daphne serving a bare Django hello, and the bare
        # websockets server; as many processes as Transverse has.
        pids, http, ws = {}, [], []
        for n in range(self.count):
            port = free_port()
            endpoint = f"tcp:port={port}:interface=127.0.0.1:backlog={LISTEN_BACKLOG}"
            command = [
                PYTHON,
                "-m",
                "daphne",
                "--endpoint",
                endpoint,
                "bench.workday.baselines:hello",
            ]
            pids[f"hello{n}"] = self._spawn(f"hello{n}", command, dict(os.environ), port).pid
            http.append(f"http://127.0.0.1:{port}")
            port = free_port()
            command = [PYTHON, "-m", "bench.workday.baselines", str(port)]
            pids[f"bare_ws{n}"] = self._spawn(f"bare_ws{n}", command, dict(os.environ), port).pid
            ws.append(f"ws://127.0.0.1:{port}/")
        self.bare = Target("bare", http, ws, pids)

    def stop(self):
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.redis.stop()


def trial_cluster_module():
    """deploy/trial-cluster (a script without .py) as a module: its Cluster starts private
    PostgreSQL, Redis and nodes."""
    path = ROOT / "deploy" / "trial-cluster"
    loader = importlib.machinery.SourceFileLoader("trial_cluster", str(path))
    spec = importlib.util.spec_from_loader("trial_cluster", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class PrivatePostgres:
    """A PostgreSQL of the run's own (deploy/trial-cluster's), on the server's CPUs, holding
    a copy of DATABASE_URL's database: the "server core" then includes PostgreSQL, as issue
    21 asks, where the shared server's backends run on any core.

    The postmaster is started with the server's affinity (this process's, set around
    pg_ctl), so every backend it forks inherits it. The copy is pg_dump piped into psql:
    CREATE DATABASE ... TEMPLATE does not cross clusters.
    """

    def __init__(self, folder: Path, cpus: set[int]):
        folder.mkdir(parents=True, exist_ok=True)
        self.cluster = trial_cluster_module().Cluster(folder)
        self.cpus = cpus

    def start(self, source_url: str) -> str:
        """Start, copy source_url's database in; the copy's URL."""
        own = os.sched_getaffinity(0)
        os.sched_setaffinity(0, self.cpus)  # inherited by pg_ctl and the postmaster
        try:
            self.cluster.start_postgres()
        finally:
            os.sched_setaffinity(0, own)
        state = self.cluster.state
        self.postmaster = int(
            (Path(state["postgres_data"]) / "postmaster.pid").read_text().split()[0]
        )
        pin(self.postmaster, self.cpus)  # a no-op unless something forked before
        state["database"] = source_url.rsplit("/", 1)[1]
        self.cluster.create_database(state["postgres_server"])
        url = state["database_url"]
        started = time.perf_counter()
        dump = subprocess.Popen(
            ["pg_dump", "--no-owner", "--no-privileges", "-d", source_url], stdout=subprocess.PIPE
        )
        subprocess.run(
            ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", url],
            stdin=dump.stdout,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        dump.stdout.close()
        if dump.wait():
            raise RuntimeError(f"pg_dump of {source_url} failed")
        with subprocess.Popen(["psql", "-qAt", "-d", url, "-c", "ANALYZE"]) as analyze:
            analyze.wait()
        print(
            f"database copied into the private PostgreSQL (CPUs {sorted(self.cpus)}) in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        return url

    def stop(self):
        self.cluster.stop()


def postgres_pids(database_url) -> list[int]:
    """The PostgreSQL backends serving our database (the server is shared: its other
    backends are other people's)."""
    import psycopg

    server, name = database_url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchall()
        return [r[0] for r in rows]
    except Exception:
        return []


class Meter:
    """CPU seconds and RSS of processes between start() and stop()."""

    def __init__(self, pids: dict, database_url=None):
        self.pids, self.database_url = pids, database_url

    def _times(self):
        import psutil

        found = {}
        pids = dict(self.pids)
        if self.database_url:
            for pid in postgres_pids(self.database_url):
                pids[f"pg{pid}"] = pid
        for name, pid in pids.items():
            try:
                p = psutil.Process(pid)
                times = p.cpu_times()
                cpu = times.user + times.system
                rss = p.memory_info().rss
                for child in p.children(recursive=True):
                    t = child.cpu_times()
                    cpu += t.user + t.system
                    rss += child.memory_info().rss
                found[name] = (cpu, rss)
            except psutil.Error:
                pass
        own = psutil.Process().cpu_times()  # the generator: without its children (servers)
        found["generator"] = (own.user + own.system, psutil.Process().memory_info().rss)
        return found

    def start(self):
        self.before, self.started = self._times(), time.perf_counter()

    def stop(self) -> dict:
        after, elapsed = self._times(), time.perf_counter() - self.started
        out, pg_cpu = {}, 0.0
        for name, (cpu, rss) in after.items():
            if name not in self.before:
                continue
            share = (cpu - self.before[name][0]) / elapsed * 100
            if name.startswith("pg"):
                pg_cpu += share
                continue
            out[name] = {"cpu_pct": round(share, 1), "rss_mib": round(rss / 2**20, 1)}
        if self.database_url:
            out["postgres"] = {
                "cpu_pct": round(pg_cpu, 1),
                "backends": len(postgres_pids(self.database_url)),
            }
        return out


# --- agents -------------------------------------------------------------------------------
class Socket:
    def __init__(self, url):
        self.url = url
        self.origin = "http://" + url.split("//", 1)[1].split("/", 1)[0]

    def ws_url(self):
        return self.url


class Step:
    """What one step measures: latencies by kind, chat deliveries, errors."""

    def __init__(self, connected: set, members: dict):
        self.connected, self.members = connected, members
        self.pages = collections.defaultdict(list)
        self.writes = collections.defaultdict(list)
        self.errors = collections.Counter()
        self.sent = {}  # key -> [sent_at, expected, received, last_at, measured]
        self.acks = []
        self.events = collections.Counter()
        self.measuring = False

    def delivered(self, frame):
        message = frame.get("message") or {}
        entry = self.sent.get(message.get("key"))
        if entry is not None:
            entry[2] += 1
            entry[3] = time.perf_counter()


class Agent:
    def __init__(self, spec, index, target, step, speed, usernames, rng):
        self.spec, self.index, self.target, self.step = spec, index, target, step
        self.speed, self.usernames, self.rng = speed, usernames, rng
        http, ws = target.node(index)
        self.pool_key, self.socket_url = http, ws
        self.cookie = f"sessionid={spec['session']}"
        self.csrf = None
        self.seen_posts: list[int] = []
        self.client = None

    async def open(self, pools):
        self.pool = pools[self.pool_key]
        self.client = Client(Socket(self.socket_url), self.spec["session"], self.spec["id"])
        self.client.on_frame = self.on_frame
        self.acks: dict[str, asyncio.Future] = {}
        # Client.open waits for "hello" on its queue: let the first frames through.
        self.client.on_frame = None
        await self.client.open(timeout=60)
        self.client.on_frame = self.on_frame
        if self.target.baseline:
            rooms = [g[1] for g in self.spec["groups"]] + self.spec["directs"]
            await self.client.send({"action": "rooms", "rooms": rooms})
        await self.page("home", record=False)  # the CSRF cookie
        await self.page("group", record=False)  # posts to comment on and react to

    def on_frame(self, frame):
        kind = frame.get("type")
        if kind == "message.created":
            self.step.delivered(frame)
        elif kind == "ack" and frame.get("ref") in self.acks:
            future = self.acks.pop(frame["ref"])
            if not future.done():
                future.set_result(frame)
        elif kind == "error":
            self.step.errors[f"socket {frame.get('code')}"] += 1
            future = self.acks.pop(frame.get("ref"), None)
            if future and not future.done():
                future.set_result(frame)
        if kind:
            self.step.events[kind] += 1

    async def http(self, method, path, form=None):
        headers = {"Cookie": self.cookie + (f"; csrftoken={self.csrf}" if self.csrf else "")}
        body = b""
        if method == "POST":
            headers["X-CSRFToken"] = self.csrf or ""
            headers["Origin"] = self.pool.origin
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form or {}).encode()
        status, answer, data = await self.pool.request(method, path, headers=headers, body=body)
        for name, value in answer:
            if name == "set-cookie" and value.startswith("csrftoken="):
                self.csrf = value.split(";", 1)[0].split("=", 1)[1]
        return status, data

    def url(self, kind):
        groups = self.spec["groups"]
        if self.target.baseline:
            return f"/{kind}/"
        if kind == "home":
            return "/"
        if kind == "group" and groups:
            return f"/groups/{self.rng.choice(groups)[0]}/"
        if kind == "group":
            return "/groups/"
        if kind == "profile":
            return f"/people/{self.rng.choice(self.usernames)}/"
        if kind == "people":
            return "/people/"
        if kind == "notifications":
            return "/notifications/"
        if kind == "experts":
            return "/experts/"
        if kind == "search":
            return "/search/?" + urlencode({"q": self.rng.choice(WORDS)})
        raise ValueError(kind)

    async def page(self, kind, record=True):
        started = time.perf_counter()
        measured = self.step.measuring and record
        try:
            status, data = await self.http("GET", self.url(kind))
        except Exception as exc:
            if measured:
                self.step.errors[f"{kind} {type(exc).__name__}"] += 1
            return
        if measured:
            self.step.pages[kind].append(time.perf_counter() - started)
            if status != 200:
                self.step.errors[f"{kind} {status}"] += 1
        if kind == "group" and not self.target.baseline:
            # Posts of the agent's own groups: the ones it may comment on and react to.
            ids = [int(x) for x in POST_LINK.findall(data)]
            if ids:
                self.seen_posts = ids[:20]
        if self.client is not None and record:
            await self.client.send({"action": "counts"})

    async def write(self, kind):
        rng, post = self.rng, None
        if not self.seen_posts and not self.target.baseline:
            await self.page("group", record=False)
        if self.seen_posts:
            post = rng.choice(self.seen_posts)
        base = self.target.baseline
        if kind == "comment" and (post or base):
            path = "/comment/" if base else f"/posts/{post}/comments/"
            form = {"body": "Merci pour le partage", "idempotency_key": uuid.uuid4().hex}
        elif kind == "reaction" and (post or base):
            path = "/react/" if base else f"/posts/{post}/react/"
            form = {"kind": rng.choice(["like", "thanks", "idea"])}
        elif kind == "post" and self.spec["groups"]:
            _slug, _room, group = rng.choice(self.spec["groups"])
            path = "/post/" if base else "/posts/new/"
            body = " ".join(rng.choice(WORDS) for _ in range(12))
            form = {"body": body, "visibility": "group", "group": group}
        else:
            return
        measured = self.step.measuring
        started = time.perf_counter()
        try:
            status, _data = await self.http("POST", path, form)
        except Exception as exc:
            if measured:
                self.step.errors[f"{kind} {type(exc).__name__}"] += 1
            return
        if measured:
            self.step.writes[kind].append(time.perf_counter() - started)
            if status not in (200, 302):
                self.step.errors[f"{kind} {status}"] += 1

    async def chat(self):
        rooms = [g[1] for g in self.spec["groups"]]
        directs = self.spec["directs"]
        choices = rooms if (rooms and (not directs or self.rng.random() < 0.5)) else directs
        if not choices:
            return
        conversation = self.rng.choice(choices)
        key = f"wd-{uuid.uuid4().hex[:20]}"
        others = [
            m
            for m in self.step.members.get(str(conversation), ())
            if m != self.spec["id"] and m in self.step.connected
        ]
        started = time.perf_counter()
        entry = [started, len(others), 0, None, self.step.measuring]
        self.step.sent[key] = entry
        future = asyncio.get_running_loop().create_future()
        self.acks[key] = future
        await self.client.send(
            {
                "action": "send",
                "conversation": conversation,
                "body": "On en parle demain ?",
                "key": key,
                "ref": key,
            }
        )
        try:
            frame = await asyncio.wait_for(future, 30)
        except TimeoutError:
            frame = {"type": "timeout"}
        if entry[4]:
            self.step.acks.append(time.perf_counter() - started)
            if frame.get("type") != "ack":
                self.step.errors[f"chat {frame.get('code') or frame.get('type')}"] += 1

    async def live(self, stop_at):
        total = sum(RATES.values())
        kinds, weights = list(RATES), [RATES[k] / total for k in RATES]
        mean = 60 / total / self.speed
        next_ping = time.perf_counter() + PING_SECONDS * self.rng.random()
        while True:
            wait = self.rng.expovariate(1 / mean)
            now = time.perf_counter()
            if now + wait > stop_at:
                return
            while next_ping < now + wait:  # keep-alive pings, real time as chat.js
                await asyncio.sleep(max(0, next_ping - time.perf_counter()))
                await self.client.send({"action": "ping"})
                next_ping += PING_SECONDS
            await asyncio.sleep(max(0, now + wait - time.perf_counter()))
            action = self.rng.choices(kinds, weights)[0]
            try:
                if action == "page":
                    await self.page(self.rng.choice(PAGE_KINDS))
                elif action == "search":
                    await self.page("search")
                elif action == "chat":
                    await self.chat()
                else:
                    await self.write(action)
            except Exception as exc:  # a closed socket, a reset connection: an error
                if self.step.measuring:
                    self.step.errors[f"{action} {type(exc).__name__}"] += 1


async def run_step(target, agents_spec, count, data, args, database_url):
    """One step: `count` agents on `target`, opened in batches, warmed, then measured."""
    rng = random.Random(f"{count}")
    chosen = rng.sample(agents_spec, count)
    connected = {a["id"] for a in chosen}
    step = Step(connected, data["members"])
    usernames = [a["username"] for a in agents_spec]
    pools = {url: Pool(url, size=args.pool) for url in target.http}
    agents = [
        Agent(spec, i, target, step, args.speed, usernames, random.Random(spec["id"]))
        for i, spec in enumerate(chosen)
    ]
    opened_at = time.perf_counter()
    open_errors = collections.Counter()

    async def open_one(agent):
        try:
            await agent.open(pools)
        except Exception as exc:
            open_errors[type(exc).__name__] += 1
            agent.client = None

    for start in range(0, len(agents), args.batch):
        await asyncio.gather(*(open_one(a) for a in agents[start : start + args.batch]))
    open_seconds = time.perf_counter() - opened_at
    live = [a for a in agents if a.client is not None]
    stop_at = time.perf_counter() + args.warmup + args.seconds
    tasks = [asyncio.ensure_future(a.live(stop_at)) for a in live]
    await asyncio.sleep(args.warmup)
    meter = Meter(target.pids, None if target.baseline else database_url)
    meter.start()
    step.measuring = True
    measured_from = time.perf_counter()
    await asyncio.sleep(max(0, stop_at - time.perf_counter()))
    step.measuring = False
    elapsed = time.perf_counter() - measured_from
    processes = meter.stop()
    load = os.getloadavg()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(2)  # the last deliveries
    closed = sum(1 for a in live if a.client.reader.done())
    await asyncio.gather(*(a.client.close() for a in live), return_exceptions=True)
    for pool in pools.values():
        await pool.close()
    # Chat: full delivery (every connected member) of the messages sent while measuring.
    full, per_delivery_missing = [], 0
    for _key, (sent_at, expected, received, last_at, measured) in step.sent.items():
        if not measured:
            continue
        if received < expected:
            per_delivery_missing += expected - received
        elif expected:
            full.append(last_at - sent_at)
        else:
            full.append(0.0)  # no other member connected
    if per_delivery_missing:
        step.errors["chat deliveries missing"] += per_delivery_missing
    if open_errors:
        step.errors.update({f"open {k}": v for k, v in open_errors.items()})
    if closed:
        step.errors["sockets closed by the server"] += closed
    all_pages = [t for times in step.pages.values() for t in times]
    figure = {
        "target": target.name,
        "agents": count,
        "speed": args.speed,
        "agents_equivalent": count * args.speed,
        "seconds": round(elapsed, 1),
        "open_seconds": round(open_seconds, 1),
        "pages_per_s": round(len(all_pages) / elapsed, 2),
        "page_p50_ms": percentile_ms(all_pages, 0.5),
        "page_p95_ms": percentile_ms(all_pages, 0.95),
        "page_p99_ms": percentile_ms(all_pages, 0.99),
        "pages": {
            kind: {
                "n": len(times),
                "p50": percentile_ms(times, 0.5),
                "p95": percentile_ms(times, 0.95),
                "p99": percentile_ms(times, 0.99),
            }
            for kind, times in sorted(step.pages.items())
        },
        "writes": {
            kind: {"n": len(times), "p95": percentile_ms(times, 0.95)}
            for kind, times in sorted(step.writes.items())
        },
        "chat_messages": len(full),
        "chat_ack_p99_ms": percentile_ms(step.acks, 0.99),
        "chat_delivery_p50_ms": percentile_ms(full, 0.5),
        "chat_delivery_p99_ms": percentile_ms(full, 0.99),
        "errors": sum(step.errors.values()),
        "error_kinds": dict(step.errors.most_common(8)),
        "events": dict(step.events.most_common(8)),
        "processes": processes,
        "load": [round(x, 2) for x in load],
    }
    # Server CPU (every measured process, PostgreSQL's backends of our database included)
    # per page and per agent: what a fully available core would hold at this mix, apart
    # from latency, on a machine where the others' load leaves us a share of each core.
    server = sum(v.get("cpu_pct", 0) for k, v in processes.items() if k != "generator")
    figure["server_cpu_pct"] = round(server, 1)
    figure["server_cpu_ms_per_page"] = (
        round(server / 100 * elapsed / len(all_pages) * 1000, 1) if all_pages else None
    )
    # All server CPU charged to pages (sockets, chat and writes included), at the agent's
    # rate of pages (RATES: page + search a minute): served load, not offered load, so a
    # saturated step does not flatter the figure.
    per_page = figure["server_cpu_ms_per_page"]
    pages_per_agent_s = (RATES["page"] + RATES["search"]) / 60
    figure["agents_per_core_by_cpu"] = (
        round(1000 / (per_page * pages_per_agent_s)) if per_page else None
    )
    figure["ok"] = bool(
        all_pages
        and figure["page_p95_ms"] <= LIMITS["page_p95_ms"]
        and (figure["chat_delivery_p99_ms"] or 0) <= LIMITS["chat_p99_ms"]
        and figure["errors"] == 0
    )
    return figure


def profile(pid: int, seconds: int, out: Path) -> None:
    """py-spy record of one daphne process for `seconds` (started in the background)."""
    spy = Path(PYTHON).parent / "py-spy"  # the virtualenv's (bench extra), else PATH's
    return subprocess.Popen(
        [
            str(spy) if spy.exists() else "py-spy",
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--format",
            "raw",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(out.with_suffix(".log"), "wb"),  # why py-spy failed, if it did
    )


async def main(args):
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (created if missing).")
    label = args.label or f"{args.processes}proc"
    record = Run("workday", args.size, label=label, history=not args.no_history)
    done = subprocess.run(
        [PYTHON, "-m", "bench.workday.data", "--size", args.size],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    data = json.loads(Path(done.stdout.strip().splitlines()[-1]).read_text())
    agents_spec = data["agents"]
    steps = [int(x) for x in args.steps.split(",")]
    if max(steps) > len(agents_spec):
        sys.exit(f"at most {len(agents_spec)} agents in size {args.size}")
    os.sched_setaffinity(0, {args.client_cpu})
    settings = {"TRANSVERSE_LOG_LEVEL": "WARNING", "TRANSVERSE_SEARCH_ENGINE": "postgres"}
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"workday-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    servers = private = None
    if args.private_postgres:
        private = PrivatePostgres(folder / "postgres", set(args.server_cpus))
    if args.http:
        targets = [Target("external", args.http, args.ws, {f"p{p}": p for p in args.pids})]
    load_start = os.getloadavg()
    figures = []
    try:
        if private:
            database_url = private.start(database_url)
        if not args.http:
            servers = Servers(database_url, args.processes, set(args.server_cpus), folder)
            servers.start(settings)
            targets = [servers.bare, servers.transverse]
        for count in steps:
            for target in targets:
                spy = None
                if args.profile and not target.baseline and count == steps[-1]:
                    pid = target.pids.get("daphne0")
                    out = record.stem.with_name(record.stem.name + f"-pyspy-{count}.txt")
                    spy = profile(pid, args.warmup + args.seconds + 30, out)
                figure = await run_step(target, agents_spec, count, data, args, database_url)
                figure.update(
                    id=f"workday.{target.name}.{count}",
                    size=args.size,
                    processes_count=args.processes,
                    commit=record.commit,
                    date=record.date,
                )
                figures.append(record.add(figure))
                if spy:
                    spy.wait(120)
                await asyncio.sleep(3)
    finally:
        if servers:
            servers.stop()
        if private:
            private.stop()
        if not args.keep_logs:
            shutil.rmtree(folder, ignore_errors=True)  # the servers' logs, our Redis folder
    record.finish(summary(record, figures, args, load_start), capacity=capacities(figures))


def capacities(figures) -> dict:
    out = {}
    for f in figures:
        if f["ok"]:
            out[f["target"]] = max(out.get(f["target"], 0), f["agents"])
        else:
            out.setdefault(f["target"], 0)
    return out


def summary(record, figures, args, load_start) -> str:
    caps = capacities(figures)
    lines = [
        f"# Working day, size {args.size}, {args.processes} daphne process(es) on CPU "
        f"{args.server_cpus}, generator on CPU {args.client_cpu}, speed x{args.speed}, "
        f"commit {record.commit}, {record.date}",
        "",
        "| target | agents (x speed) | pages/s | page p50/p95/p99 ms | chat delivery p99 ms | "
        "errors | server CPU % (daphne, pg, redis, worker) | CPU ms/page | agents per core "
        "by CPU | daphne RSS MiB | generator CPU % | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        p = f["processes"]
        daphne = [v for k, v in p.items() if k.startswith(("daphne", "hello", "bare_ws"))]
        cpu = sum(v["cpu_pct"] for v in daphne)
        extra = "/".join(
            str(p.get(k, {}).get("cpu_pct", "-")) for k in ("postgres", "redis", "worker")
        )
        rss = "/".join(str(v["rss_mib"]) for v in daphne)
        lines.append(
            f"| {f['target']} | {f['agents']} ({f['agents_equivalent']:.0f}) | "
            f"{f['pages_per_s']} | {f['page_p50_ms']}/"
            f"{f['page_p95_ms']}/{f['page_p99_ms']} | {f['chat_delivery_p99_ms']} | "
            f"{f['errors']} | {cpu:.0f}, {extra} | {f['server_cpu_ms_per_page']} | "
            f"{f['agents_per_core_by_cpu']} | {rss} | "
            f"{p.get('generator', {}).get('cpu_pct')} | {f['load'][0]} |"
        )
    lines += ["", "| target | kind | n | p50 | p95 | p99 |", "|---|---|---|---|---|---|"]
    for f in figures:
        for kind, v in f["pages"].items():
            lines.append(
                f"| {f['target']} {f['agents']} | {kind} | {v['n']} | "
                f"{v['p50']} | {v['p95']} | {v['p99']} |"
            )
    lines += [
        "",
        f"Capacity (largest step within the limits): {caps}; speed x{args.speed}.",
        f"Load average at the start {load_start[0]:.2f}, at the end {os.getloadavg()[0]:.2f}.",
    ]
    errors = {f["id"]: f["error_kinds"] for f in figures if f["errors"]}
    if errors:
        lines += ["", f"Errors: {json.dumps(errors, ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=["S", "M", "L"], default="S")
    parser.add_argument("--steps", default="200,400,800", help="agents at each step")
    parser.add_argument("--seconds", type=float, default=45, help="measured seconds a step")
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--speed", type=float, default=1.0, help="think times divided by this")
    parser.add_argument("--processes", type=int, default=1, help="daphne processes started")
    parser.add_argument("--server-cpus", type=lambda s: [int(x) for x in s.split(",")], default=[1])
    parser.add_argument("--client-cpu", type=int, default=0)
    parser.add_argument("--http", action="append", default=[], help="a node's base URL")
    parser.add_argument("--ws", action="append", default=[], help="a node's socket URL")
    parser.add_argument("--pids", action="append", type=int, default=[], help="to measure")
    parser.add_argument("--pool", type=int, default=32, help="HTTP connections per node")
    parser.add_argument("--batch", type=int, default=50, help="sockets opened at once")
    parser.add_argument("--profile", action="store_true", help="py-spy on the last step")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    parser.add_argument(
        "--private-postgres",
        action="store_true",
        help="copy DATABASE_URL's database into a PostgreSQL of the run's own, pinned to "
        "--server-cpus with the servers",
    )
    add_result_arguments(parser)
    arguments = parser.parse_args()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    asyncio.run(main(arguments))
