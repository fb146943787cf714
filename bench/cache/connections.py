"""Redis connections one daphne process holds after serving pages, per cache backend.

Django makes a cache object per ASGI request, and Django's RedisCache gives each object
a connection pool of its own; intranet.core.redis_cache shares one client per process.
Both run here in the same run, each in a daphne process of its own on a redis-server of
our own and an embedded (SQLite) site, serving the sign-in page (whose branding is read
from the cache) N times:

    .venv/bin/python -m bench.cache.connections [N]
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import redis

from bench.realtime.cluster import Redis
from tests.services import free_port

BACKENDS = {
    "django.core.cache.backends.redis.RedisCache": "baseline",
    "intranet.core.redis_cache.FailSoftRedisCache": "Transverse",
}
IDLE_SECONDS = 5  # connections still open once the process has been idle this long


def wait_answering(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310  (our own http:// URL)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def measure(server: Redis, root: Path, backend: str, pages: int) -> tuple[int, int]:
    folder = root / backend.rsplit(".", 1)[-1]
    folder.mkdir()
    (folder / "bench_settings.py").write_text(
        "from intranet.settings import *  # noqa: F403\n"
        f"CACHES['default']['BACKEND'] = {backend!r}\n"
    )
    env = {
        **os.environ,
        "REDIS_URL": server.url,
        "TRANSVERSE_VAR_DIR": str(folder / "var"),
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{folder}{os.pathsep}{Path.cwd()}",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    daphne = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "intranet.asgi:application",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_answering(f"http://127.0.0.1:{port}/healthz")
        client = redis.Redis.from_url(server.url)
        before = client.info("clients")["connected_clients"]
        for _ in range(pages):
            page = f"http://127.0.0.1:{port}/accounts/login/"
            urllib.request.urlopen(page, timeout=10).read()
        after_load = client.info("clients")["connected_clients"] - before
        time.sleep(IDLE_SECONDS)
        idle = client.info("clients")["connected_clients"] - before
        return after_load, idle
    finally:
        daphne.terminate()
        daphne.wait(10)


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    root = Path(tempfile.mkdtemp(prefix="transverse-bench-cache-"))
    server = Redis(root)
    server.start()
    try:
        for backend, label in BACKENDS.items():
            after_load, idle = measure(server, root, backend, pages)
            print(
                f"{label} ({backend}): {pages} sign-in pages -> {after_load} Redis "
                f"connections open after the load, {idle} after {IDLE_SECONDS} s idle"
            )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
