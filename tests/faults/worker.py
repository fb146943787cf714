"""A real `manage.py db_worker` process on the test's database, for the fault tests."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def worker_env(settings, **extra) -> dict:
    """The environment of a worker on this test's database and search index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.worker_settings",
        PYTHONUNBUFFERED="1",
        TRANSVERSE_LOG_LEVEL="INFO",
        TRANSVERSE_SEARCH_ENGINE="whoosh",
        TRANSVERSE_SEARCH_INDEX_DIR=str(settings.TRANSVERSE_SEARCH_INDEX_DIR),
        TRANSVERSE_WORKER_LOST_AFTER=str(settings.TRANSVERSE_WORKER_LOST_AFTER),
        TRANSVERSE_WORKER_STOP_SECONDS=str(settings.TRANSVERSE_WORKER_STOP_SECONDS),
    )
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["TRANSVERSE_TEST_SQLITE"] = str(database["NAME"])
    else:
        user = database["USER"] or "postgres"
        host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
        env["DATABASE_URL"] = f"postgres://{user}@{host}:{port}/{database['NAME']}"
    env.update({k: str(v) for k, v in extra.items()})
    return env


class WorkerProcess:
    def __init__(self, env: dict, log: Path, worker_id: str):
        self.env, self.log, self.worker_id = env, log, worker_id
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        command = [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.1",
            "--worker-id",
            self.worker_id,
        ]
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        return self

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def exited(self) -> bool:
        return self.process.poll() is not None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
