#!/usr/bin/env python3
"""Set Transverse up and run it, or run its tests, from a fresh clone.

    python3 deploy/bootstrap.py run     # the site with demo data at http://127.0.0.1:8000
    python3 deploy/bootstrap.py test    # the whole test suite (extra arguments go to pytest)

Needs only Python 3.11+. Creates .venv/ beside manage.py, installs the project into it
(again only when pyproject.toml changes), then does the rest inside that environment.
Safe to run again: every step checks what is already there. Standard library only.
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".transverse-installed"


def say(message: str) -> None:
    print(f"[transverse] {message}", flush=True)


def run(*args: str, env: dict | None = None) -> None:
    subprocess.run(args, cwd=ROOT, check=True, env=env)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit("Transverse needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say(f"creating the virtual environment in {VENV.relative_to(ROOT)}/")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        say("dependencies already installed")
        return
    say("installing Transverse and its dependencies (first run only: about a minute)")
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(str(PYTHON), "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def manage(*args: str, env: dict) -> None:
    run(str(PYTHON), "manage.py", *args, env=env)


def _stop(signum, frame):
    """SIGTERM or SIGHUP (a service manager, a closed terminal) stops as Ctrl+C does:
    Python's default would end this process at once and leave daphne and the worker."""
    raise KeyboardInterrupt


def serve() -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    env = {**os.environ, "TRANSVERSE_DEMO": os.environ.get("TRANSVERSE_DEMO", "true")}
    say("applying database migrations")
    manage("migrate", "--no-input", "-v", "0", env=env)
    say("loading the demo organisation (skipped when already there)")
    manage("seed_demo", env=env)
    host, port = env.get("TRANSVERSE_HOST", "127.0.0.1"), env.get("TRANSVERSE_PORT", "8000")
    say("starting the background worker (manage.py db_worker)")
    worker = subprocess.Popen([str(PYTHON), "manage.py", "db_worker"], cwd=ROOT, env=env)
    say(f"serving Transverse through daphne at http://{host}:{port}/ (Ctrl+C to stop)")
    say("demo logins: admin / transverse-admin, amartin / transverse-demo")
    server = subprocess.Popen(
        [str(VENV / "bin" / "daphne"), "-b", host, "-p", port, "intranet.asgi:application"],
        cwd=ROOT,
        env=env,
    )
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        # SIGTERM, not SIGINT: a process started in the background by a script inherits
        # SIGINT ignored, and daphne then never stops on it. Both stop gracefully on SIGTERM.
        for process in (server, worker):
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 10
        for name, process in (("daphne", server), ("the worker", worker)):
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop within 10 s: killed")
                process.kill()
                process.wait()
        say("stopped")


def test(extra: list[str]) -> int:
    env = dict(os.environ)
    say("running the test suite with pytest")
    return subprocess.run([str(PYTHON), "-m", "pytest", *extra], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    if argv[0] == "run":
        return serve()
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
