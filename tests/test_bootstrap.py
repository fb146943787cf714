"""deploy/bootstrap.py run: the README's first command, stopped as a service manager would."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.services import free_port, tcp_open

ROOT = Path(__file__).resolve().parents[1]


def test_run_stopped_by_sigterm_stops_daphne_and_the_worker(tmp_path):
    port = free_port()
    environ = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith(("TRANSVERSE_", "PYTEST"))
    }
    environ.update(TRANSVERSE_VAR_DIR=str(tmp_path / "var"), TRANSVERSE_PORT=str(port))
    run = subprocess.Popen(
        [sys.executable, "deploy/bootstrap.py", "run"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children = []
    try:
        deadline = time.monotonic() + 180  # migrations and the demo organisation first
        while not tcp_open("127.0.0.1", port):
            assert run.poll() is None and time.monotonic() < deadline, "the site never came up"
            time.sleep(0.5)
        children = _children(run.pid)
        assert len(children) >= 2  # daphne and the worker
        run.send_signal(signal.SIGTERM)
        assert run.wait(30) == 0
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
        assert not tcp_open("127.0.0.1", port)
    finally:
        if run.poll() is None:
            run.kill()
        for pid in children:  # left behind only when the test fails
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)


def _children(pid: int) -> list[int]:
    """The processes whose parent is pid (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found
