"""Upload and download of a large document through a real daphne process, as a ratio of a
plain file copy on the same disk in the same run, with the server's peak memory.

    .venv/bin/python bench/documents/transfer.py --mb 200 --rounds 3

Embedded mode in a temporary var directory (SQLite, files under its media/): the bench
process migrates it, creates an agent, a group and a session, then starts daphne on it.
Each round: a plain copy of the file (shutil.copyfile, the baseline), an upload (one
multipart POST streamed from disk, as the page's script sends it; the time ends when the
document's row is committed and the answer received) and a download of the same file
(GET, streamed to a file on the same disk). Peak memory is daphne's VmHWM (peak resident
set) read from /proc: flat means it does not grow with the file. Targets (issue 18):
download >= 0.5 of the copy, upload >= 0.3.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import Run, add_result_arguments  # noqa: E402

CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"daphne did not listen on {port}")


def peak_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))


def make_file(path: Path, megabytes: int) -> None:
    """A PDF-headed file of random bytes (incompressible, like most office documents)."""
    with path.open("wb") as out:
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        block = os.urandom(CHUNK)
        for n in range(megabytes):
            out.write(block[n % 7 :] + block[: n % 7])
        out.write(b"\n%%EOF\n")


def prepare(var: Path) -> dict:
    """Migrate the embedded database; an agent, her group, her session (in this process)."""
    os.environ["TRANSVERSE_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from intranet.accounts.models import User
    from intranet.groups import services as group_services

    call_command("migrate", verbosity=0)
    agent = User.objects.create_user(username="bench", password="x" * 20, first_name="Bench")
    group = group_services.group_create(agent, name="Banc d'essai", policy="closed")
    session = SessionStore()
    session[SESSION_KEY] = str(agent.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
    session.create()
    return {"session": session.session_key, "slug": group.slug}


class Server:
    def __init__(self, env: dict, log: Path):
        self.port, self.env, self.log = free_port(), env, log

    def __enter__(self):
        command = [
            sys.executable,
            "-m",
            "daphne",
            "-p",
            str(self.port),
            "intranet.asgi:application",
        ]
        self.out = self.log.open("ab")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=self.out, stderr=self.out
        )
        wait_port(self.port)
        return self

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.out.close()


def headers(ctx: dict, csrf: str) -> dict:
    return {
        "Cookie": f"sessionid={ctx['session']}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Accept": "application/json",
        "X-Upload-Files": "1",
        "Host": "127.0.0.1",
        "Referer": "http://127.0.0.1/",
    }


def upload(port: int, ctx: dict, path: Path, name: str) -> tuple[float, dict]:
    csrf = uuid.uuid4().hex  # 32 characters: a valid CSRF secret, sent as cookie and field
    boundary = uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f'{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + path.stat().st_size + len(tail)

    def body():
        yield head
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk
        yield tail

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request(
        "POST",
        f"/groups/{ctx['slug']}/documents/upload/",
        body=body(),
        headers={
            **headers(ctx, csrf),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(length),
        },
    )
    response = connection.getresponse()
    answer = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"upload answered {response.status}: {answer[:500]!r}")
    return elapsed, json.loads(answer)


def download(port: int, ctx: dict, document_id: int, target: Path) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request(
        "GET", f"/documents/{document_id}/file/?download=1", headers=headers(ctx, "x" * 32)
    )
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"download answered {response.status}")
    with target.open("wb") as out:
        while chunk := response.read(CHUNK):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def plain_copy(source: Path, target: Path) -> float:
    started = time.perf_counter()
    shutil.copyfile(source, target)
    with target.open("rb+") as out:
        os.fsync(out.fileno())
    return time.perf_counter() - started


def vary(source: Path) -> None:
    with source.open("r+b") as out:
        out.seek(20)
        out.write(os.urandom(16))


def add_directly(ctx: dict, source: Path, name: str) -> int:
    """A ready document of source's bytes, added by the services in this process."""
    from django.core.files import File

    from intranet.accounts.models import User
    from intranet.documents.services import document_upload
    from intranet.groups.models import Group

    agent = User.objects.get(username="bench")
    with source.open("rb") as file:
        document = document_upload(
            agent, group=Group.objects.get(slug=ctx["slug"]), upload=File(file, name=name)
        )
    mark_ready(document.pk)
    return document.pk


def mark_ready(document_id: int) -> None:
    """The analysis is not measured here: the version is marked clean directly."""
    from intranet.documents.models import DocumentVersion
    from intranet.documents.services import version_mark

    version = DocumentVersion.objects.get(document_id=document_id)
    version_mark(version.pk, DocumentVersion.State.READY, extraction="empty")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip-uploads", action="store_true")
    add_result_arguments(parser)
    args = parser.parse_args()
    # Under the project's var/ (made here on a fresh clone, where nothing created it yet):
    # the plain copy and the server's storage then share one disk.
    (ROOT / "var").mkdir(exist_ok=True)
    var = Path(tempfile.mkdtemp(prefix="transverse-bench-documents-", dir=ROOT / "var"))
    try:
        run_bench(args, var)
    finally:
        shutil.rmtree(var, ignore_errors=True)


def set_up(var: Path, mb: int, *, settings_module: str = "intranet.settings"):
    """The embedded site a transfer bench serves from var, for files of mb MB: the page
    server's environment (SQLite and files under var, documents up to mb MB; settings from
    settings_module), the migrated database with an agent, her group and her session
    (prepare), and a source file of mb MB. Returns (env, ctx, source)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("DATABASE_URL", None)  # embedded mode: SQLite in the temporary var directory
    os.environ.pop("DATABASE_URL", None)
    env.update(
        TRANSVERSE_VAR_DIR=str(var),
        TRANSVERSE_LOG_LEVEL="WARNING",
        TRANSVERSE_DOCUMENT_MAX_BYTES=str((mb + 10) * CHUNK),
        TRANSVERSE_DOCUMENT_GROUP_QUOTA_BYTES=str(1000 * mb * CHUNK),
        DJANGO_SETTINGS_MODULE=settings_module,
    )
    os.environ.update(
        TRANSVERSE_DOCUMENT_MAX_BYTES=env["TRANSVERSE_DOCUMENT_MAX_BYTES"],
        TRANSVERSE_DOCUMENT_GROUP_QUOTA_BYTES=env["TRANSVERSE_DOCUMENT_GROUP_QUOTA_BYTES"],
    )
    ctx = prepare(var)
    source = var / "source.pdf"
    make_file(source, mb)
    return env, ctx, source


def run_bench(args, var: Path) -> None:
    env, ctx, source = set_up(var, args.mb)
    size = source.stat().st_size
    run = Run("documents", f"{args.mb}MB", label=args.label, history=not args.no_history)
    results = {"copy": [], "upload": [], "download": []}
    peaks = []  # daphne's peak RSS (MB) after each step
    with Server(env, var / "daphne.log") as server:
        pid = server.process.pid
        upload(server.port, ctx, small_file(var), "warm.pdf")  # imports, connections, caches
        start_peak, start_rss = peak_kb(pid), rss_kb(pid)
        # Downloads first (documents added by the services in this process), so that
        # daphne's peak after them is the downloads' own; then the uploads.
        for n in range(args.rounds):
            vary(source)
            results["copy"].append(plain_copy(source, var / f"copy{n}.pdf"))
            (var / f"copy{n}.pdf").unlink()
            document_id = add_directly(ctx, source, f"direct {n}.pdf")
            results["download"].append(download(server.port, ctx, document_id, var / "got.pdf"))
            assert (var / "got.pdf").stat().st_size == size
            (var / "got.pdf").unlink()
        peaks.append(("after downloads", round(peak_kb(pid) / 1024, 1)))
        for n in range(0 if args.skip_uploads else args.rounds):
            vary(source)  # a new content each time: the same sha256 would cost nothing
            elapsed, _answer = upload(server.port, ctx, source, f"rapport {n}.pdf")
            results["upload"].append(elapsed)
            peaks.append(("after upload", round(peak_kb(pid) / 1024, 1)))
        end_peak = peak_kb(pid)
    copy_s = min(results["copy"])
    figures = {
        "file_mb": round(size / CHUNK, 1),
        "copy_mb_s": round(size / CHUNK / copy_s, 1),
        "upload_mb_s": round(size / CHUNK / min(results["upload"] or [float("inf")]), 1),
        "download_mb_s": round(size / CHUNK / min(results["download"]), 1),
        "upload_ratio": round(copy_s / min(results["upload"] or [float("inf")]), 3),
        "download_ratio": round(copy_s / min(results["download"]), 3),
        "server_rss_before_mb": round(start_rss / 1024, 1),
        "server_peak_before_mb": round(start_peak / 1024, 1),
        "server_peak_after_downloads_mb": peaks[0][1],
        "server_peak_download_growth_mb": round(peaks[0][1] - start_peak / 1024, 1),
        "server_peak_after_mb": round(end_peak / 1024, 1),
        "server_peak_growth_mb": round((end_peak - start_peak) / 1024, 1),
        "server_peaks_mb": peaks,
        "rounds": args.rounds,
        "seconds": {k: [round(v, 3) for v in vs] for k, vs in results.items()},
    }
    run.add({"figure": "transfer", **figures})
    summary = (
        f"# documents transfer, {figures['file_mb']} MB, {args.rounds} rounds (best of each)\n\n"
        "| | MB/s | ratio to the copy |\n|---|---|---|\n"
        f"| plain copy (baseline) | {figures['copy_mb_s']} | 1 |\n"
        f"| upload through daphne | {figures['upload_mb_s']} | {figures['upload_ratio']} |\n"
        f"| download through daphne | {figures['download_mb_s']} | "
        f"{figures['download_ratio']} |\n\n"
        f"daphne peak RSS: {figures['server_peak_before_mb']} MB before, "
        f"{figures['server_peak_after_downloads_mb']} MB after the downloads "
        f"({figures['server_peak_download_growth_mb']:+} MB), "
        f"{figures['server_peak_after_mb']} MB after the uploads "
        f"({figures['server_peak_growth_mb']:+} MB)\n"
    )
    run.finish(summary, load_average=[round(x, 2) for x in os.getloadavg()])


def small_file(var: Path) -> Path:
    path = var / "warm.pdf"
    make_file(path, 1)
    return path


if __name__ == "__main__":
    main()
