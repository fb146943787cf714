"""Real processes for multi-process tests and benchmarks: Redis, a PostgreSQL database,
daphne servers, and signed-in agents (session cookies) to open sockets with.

Everything runs on free loopback ports and in temporary folders: our own redis-server
(`--save '' --appendonly no`), so stopping it never disturbs the machine's shared Redis;
a database of our own on the PostgreSQL server named by TRANSVERSE_TEST_PG (default the
machine's 127.0.0.1:5432), dropped at the end.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PG_SERVER = os.environ.get("TRANSVERSE_TEST_PG", "postgres://postgres@127.0.0.1:5432")
# As in production (deploy/systemd/transverse-daphne@.service): Twisted's default of 50
# overflowed in the reconnect storm (e).
LISTEN_BACKLOG = 4096


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port}")


class Redis:
    """A redis-server of our own, which a test may stop and start again on the same port."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None


class PostgresServer:
    """A PostgreSQL cluster of our own (initdb, pg_ctl) on a free loopback port, in a
    temporary folder, which a test may stop and start again: the machine's shared server
    is never touched. Run as the `postgres` system account when we are root (initdb
    refuses root)."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder / "pg", free_port()
        self.data, self.log = self.folder / "data", self.folder / "server.log"

    @staticmethod
    def bin_dir() -> Path | None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        return found[-1].parent if found else None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True)

    def init(self) -> None:
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        bin_dir = self.bin_dir()
        flags = ["-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
        self._run(str(bin_dir / "initdb"), "-D", str(self.data), *flags)

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off"
        )
        pg_ctl, data = str(self.bin_dir() / "pg_ctl"), str(self.data)
        self._run(pg_ctl, "-D", data, "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            pg_ctl, data = str(self.bin_dir() / "pg_ctl"), str(self.data)
            self._run(pg_ctl, "-D", data, "-m", "fast", "-w", "stop")


class Database:
    """A database of our own on the PostgreSQL server, migrated, dropped at the end."""

    def __init__(self, server: str = PG_SERVER):
        self.server = server
        self.name = f"transverse_rt_{uuid.uuid4().hex[:10]}"
        self.url = f"{server}/{self.name}"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.server}/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def create(self, env: dict) -> None:
        self._admin(f'CREATE DATABASE "{self.name}"')
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": self.url},
            check=True,
        )

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


SEED = r"""
import json, sys
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from intranet.accounts.models import User
from intranet.chat.models import Conversation, Participant
from intranet.groups.models import Group, Membership

spec = json.loads(sys.stdin.read())
n = spec["agents"]
now = timezone.now()  # past the first-visit welcome: their home is the feed
users = User.objects.bulk_create(
    [User(username=f"rt{i}", first_name=f"Agent{i}", last_name="Temps-Réel",
          sort_name=f"rt{i}", welcomed_at=now) for i in range(n)])
users = list(User.objects.filter(username__startswith="rt").order_by("pk"))
rooms = {}
for size in spec["rooms"]:
    group = Group.objects.create(name=f"Salle {size}", slug=f"salle-{size}", policy="closed")
    Membership.objects.bulk_create([Membership(group=group, agent=u) for u in users[:size]])
    rooms[size] = Conversation.objects.create(kind="group", group=group).pk
cookies = []
for user in users:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    cookies.append([user.pk, session.session_key])
print(json.dumps({"agents": cookies, "rooms": rooms}))
"""


def seed(env: dict, *, agents: int, rooms=()) -> dict:
    """Create agents rt0..rtN (with sessions) and group rooms of the given sizes."""
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SEED],
        cwd=ROOT,
        env=env,
        input=json.dumps({"agents": agents, "rooms": list(rooms)}),
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(done.stdout.strip().splitlines()[-1])
    data["rooms"] = {int(k): v for k, v in data["rooms"].items()}
    return data


class Daphne:
    def __init__(self, env: dict, *, cpu: int | None = None, log: Path | None = None):
        self.env, self.cpu, self.port, self.process = env, cpu, free_port(), None
        self.log = log

    def start(self) -> None:
        command = [
            PYTHON,
            "-m",
            "daphne",
            "--endpoint",  # the listen backlog of deploy/systemd/transverse-daphne@.service
            f"tcp:port={self.port}:interface=127.0.0.1:backlog={LISTEN_BACKLOG}",
            "intranet.asgi:application",
        ]
        if self.cpu is not None and shutil.which("taskset"):
            command = ["taskset", "-c", str(self.cpu), *command]
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        wait_port(self.port, 30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/"

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def base_env(database_url: str, redis_url: str | None, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DATABASE_URL=database_url,
        TRANSVERSE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE="intranet.settings",
    )
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextmanager
def cluster(
    *,
    agents: int,
    rooms=(),
    servers: int = 2,
    redis: bool = True,
    cpus=(None, None),
    own_postgres: bool = False,
    **settings,
):
    """Redis (ours), a migrated database with seeded agents, and `servers` daphne processes.

    own_postgres: the database lives on a PostgreSQL cluster of our own (PostgresServer,
    yielded as "postgres") instead of the machine's server.
    """
    folder = Path(tempfile.mkdtemp(prefix="transverse-rt-"))
    if own_postgres:
        os.chmod(folder, 0o711)  # noqa: S103 (traverse only: the postgres account reaches its folder)
    redis_server = Redis(folder) if redis else None
    postgres = PostgresServer(folder) if own_postgres else None
    database = Database(postgres.url) if postgres else Database()
    daphnes = []
    try:
        if postgres:
            postgres.init()
            postgres.start()
        if redis_server:
            redis_server.start()
        env = base_env(database.url, redis_server.url if redis_server else None, **settings)
        database.create(env)
        data = seed(env, agents=agents, rooms=rooms)
        for n in range(servers):
            server = Daphne(env, cpu=cpus[n % len(cpus)], log=folder / f"daphne{n}.log")
            server.start()
            daphnes.append(server)
        yield {
            "redis": redis_server,
            "postgres": postgres,
            "database": database,
            "servers": daphnes,
            "env": env,
            "folder": folder,
            **data,
        }
    finally:
        for server in daphnes:
            server.stop()
        if redis_server:
            redis_server.stop()
        try:
            if postgres is None:
                database.drop()
        finally:
            if postgres is not None:
                postgres.stop()
            shutil.rmtree(folder, ignore_errors=True)
