"""The worker survives PostgreSQL restarting, even in the middle of a task.

A PostgreSQL cluster of our own (initdb, pg_ctl: the machine's server is never touched)
is stopped while a task runs and reads the database: the task's failure is recorded once
the database is back, the outage is logged once with a summary at its end (not a
traceback per attempt), and the same worker process goes on running new tasks.
"""

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

from tests.faults.worker import ROOT, WorkerProcess
from tests.services import missing_service
from tests.waiting import wait_until

pytestmark = pytest.mark.faults

ENQUEUE = """
import json, sys
from tests.faults import tasks
name, arg = json.loads(sys.stdin.read())
print(getattr(tasks, name).enqueue(arg).id)
"""


@pytest.fixture
def own_postgres():
    from bench.realtime.cluster import Database, PostgresServer, base_env

    if PostgresServer.bin_dir() is None:
        missing_service("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    if shutil.which("runuser") is None:
        missing_service("runuser is needed to run initdb as the postgres account")
    folder = Path(tempfile.mkdtemp(prefix="transverse-worker-pg-"))
    folder.chmod(0o711)  # traverse only: the postgres account reaches its folder
    server = PostgresServer(folder)
    try:
        server.init()
        server.start()
        database = Database(server.url)
        env = base_env(
            database.url,
            None,
            TRANSVERSE_VAR_DIR=folder / "var",
            TRANSVERSE_LOG_LEVEL="INFO",
            TRANSVERSE_WORKER_LOST_AFTER=4,
        )
        database.create(env)
        yield server, database, env, folder
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def enqueue(env, name: str, arg: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", ENQUEUE],
        cwd=ROOT,
        env=env,
        input=json.dumps([name, arg]),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def task_status(database, task_id: str) -> str:
    with psycopg.connect(database.url) as conn:
        row = conn.execute(
            "SELECT status FROM django_tasks_database_dbtaskresult WHERE id = %s", [task_id]
        ).fetchone()
    return row[0]


def test_worker_survives_a_postgres_restart_during_a_task(own_postgres):
    server, database, env, folder = own_postgres
    worker = WorkerProcess(env, folder / "worker.log", "worker-pg").start()
    try:
        marker = str(folder / "held")
        held = enqueue(env, "hold_then_query", marker)
        wait_until(lambda: Path(f"{marker}.started").exists(), what="the task to start")

        server.stop()
        Path(f"{marker}.release").touch()  # the task now reads a database that is away
        wait_until(
            lambda: worker.exited() or "database unavailable" in worker.output(),
            what="the worker to notice the outage",
        )
        assert not worker.exited(), worker.output()  # the stock worker died here

        server.start()
        wait_until(lambda: "database back after" in worker.output(), what="the recovery log")
        assert task_status(database, held) == "FAILED"  # recorded once the database was back

        noted = folder / "after-restart"
        enqueue(env, "note", str(noted))
        wait_until(noted.exists, what="a task queued after the restart to run")
        assert not worker.exited()
        log = worker.output()
        assert log.count("database unavailable") == 1
        assert log.count("Traceback (most recent call last)") <= 2, log  # the task's, chained
    finally:
        worker.stop()
