"""deploy/bootstrap.py run: the README's first command, stopped as a service manager would."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services import free_port, tcp_open

ROOT = Path(__file__).resolve().parents[1]


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    "started",
    [None, _ignore_sigint],
    ids=["from-a-terminal", "in-the-background-of-a-script"],  # the shell ignores SIGINT
)
def test_run_stopped_by_sigterm_stops_daphne_and_the_worker(tmp_path, started):
    port = free_port()
    environ = {
        key: value
        for key, value in os.environ.items()
        if key != "DATABASE_URL" and not key.startswith(("TRANSVERSE_", "PYTEST"))
    }
    environ.update(TRANSVERSE_VAR_DIR=str(tmp_path / "var"), TRANSVERSE_PORT=str(port))
    log = tmp_path / "run.log"  # a file: the logs of the seeding would fill a pipe
    with log.open("w") as out:
        run = subprocess.Popen(
            [sys.executable, "deploy/bootstrap.py", "run"],
            cwd=ROOT,
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=started,  # a signal disposition only, set before exec
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
        output = log.read_text()
        assert "stopped" in output and "killed" not in output  # both stopped gracefully
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
