"""The page servers compared by bench/serving: one command each, on one loopback port.

Every candidate is given the same single core (taskset in run.py); the worker and thread
counts are each server's usual choice for one core. daphne is the reference: what
production ran for pages before issue 21.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _bin(name: str) -> str:
    return str(BIN / name)


# name -> (description, command template with {port})
SERVERS = {
    "daphne": (
        "daphne (ASGI), one process",
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            "{port}",
            "intranet.asgi:application",
        ],
    ),
    "gunicorn-sync": (
        "gunicorn, 3 sync workers (WSGI)",
        [
            _bin("gunicorn"),
            "-k",
            "sync",
            "-w",
            "3",
            "-b",
            "127.0.0.1:{port}",
            "--backlog",
            "4096",
            "intranet.wsgi:application",
        ],
    ),
    "gunicorn-gthread": (
        "gunicorn, 2 workers x 4 threads (WSGI)",
        [
            _bin("gunicorn"),
            "-k",
            "gthread",
            "-w",
            "2",
            "--threads",
            "4",
            "-b",
            "127.0.0.1:{port}",
            "--backlog",
            "4096",
            "intranet.wsgi:application",
        ],
    ),
    "uvicorn": (
        "uvicorn, one worker, uvloop and httptools (ASGI)",
        [
            _bin("uvicorn"),
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--interface",
            "asgi3",
            "--lifespan",
            "off",
            "intranet.asgi:application",
        ],
    ),
    "granian-wsgi": (
        "granian, one worker, 4 blocking threads (WSGI)",
        [
            _bin("granian"),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--workers",
            "1",
            "--blocking-threads",
            "4",
            "--no-ws",
            "intranet.wsgi:application",
        ],
    ),
    "granian-asgi": (
        "granian, one worker (ASGI)",
        [
            _bin("granian"),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--workers",
            "1",
            "--no-ws",
            "intranet.asgi:application",
        ],
    ),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_http(port: int, path: str = "/bench-hello/", timeout: float = 40.0) -> None:
    """Until the server answers a request (a bound port is not yet a loaded application)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(
                    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
                )
                if sock.recv(64).startswith(b"HTTP/1.1 "):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"no page server answered on port {port}")


def tree(pid: int) -> list[int]:
    """pid and all its descendants (gunicorn's and granian's workers)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return found


def _status(pid: int, field: str) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(rf"{field}:\s+(\d+) kB", text)
    return int(match.group(1)) if match else 0


def memory_mb(pid: int) -> dict:
    """Resident memory of the whole server (every process), and the largest peak of one."""
    pids = tree(pid)
    return {
        "rss_mb": round(sum(_status(p, "VmRSS") for p in pids) / 1024, 1),
        "peak_one_mb": round(max(_status(p, "VmHWM") for p in pids) / 1024, 1),
        "processes": len(pids),
    }


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Server:
    """One candidate, started on a free port, pinned to `cpu`."""

    def __init__(self, name: str, env: dict, log: Path, cpu: int | None = 1):
        self.name, self.env, self.log, self.cpu = name, env, log, cpu
        self.port = free_port()
        self.process = None

    def __enter__(self):
        command = [part.replace("{port}", str(self.port)) for part in SERVERS[self.name][1]]
        if self.cpu is not None:
            command = ["taskset", "-c", str(self.cpu), *command]
        self.out = self.log.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.out,
            stderr=self.out,
            start_new_session=True,
        )
        try:
            wait_http(self.port)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        self.out.close()
