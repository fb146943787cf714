"""The text of a document, for the search, read where a hostile file can do no harm.

`extract_text(path, mime)` never raises and never stalls its caller: it answers
Extraction("ok" | "empty" | "failed", text) within a bounded time and memory, whatever the
file (corrupt, encrypted, a ZIP bomb, a billion laughs, XML nested 200,000 deep, a PDF
whose page tree loops).

How: the calling process keeps one small helper process (`python -m
intranet.documents.extraction`), started on first use with the readers' libraries
already imported. The helper forks a child that sets its own limits (address space, no
file written, no core) and reads documents one after the other, each under a CPU limit
re-armed for it; the helper kills the child when a document runs past the wall-clock
limit. A child is replaced after any failure (so a hostile file never leaves its state
to the next document), when its memory has grown past half its limit, and after
DOCUMENTS_PER_CHILD documents. Measured (bench/documents/extraction.py, 2 cores): a
reused child costs about 5 ms of CPU per document, as much as reading in the calling
process; a fresh fork per document 11 ms (copy-on-write of the helper's pages); a fresh
interpreter per document about one second (imports). The caller's side of the helper
is serialised by a lock and restarted if the helper dies.

Before an office file is opened, its ZIP directory is checked (total uncompressed size,
compression ratio, number of entries) and its XML parts may carry no DTD: OpenDocument
and Office Open XML never need one, and refusing them stops entity expansion before any
parser sees it. The parsers' own limits stay as a second line (lxml's depth limit,
expat's amplification limit, defusedxml in openpyxl), and the child's limits as a third.

Settings, read at each call: TRANSVERSE_DOCUMENT_TEXT_MAX_CHARS (text kept, default
1,000,000), TRANSVERSE_DOCUMENT_EXTRACTION_SECONDS (wall clock and CPU, default 30) and
TRANSVERSE_DOCUMENT_EXTRACTION_MEMORY_MB (the child's address space, default 512).
"""

import contextlib
import dataclasses
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

from intranet.documents.readers import READERS

logger = logging.getLogger(__name__)

STATUSES = ("ok", "empty", "failed")
# Documents one child reads before it is replaced (at once after a failure): 1 would
# fork a clean child per document, at twice the CPU (bench/documents/extraction.py).
DOCUMENTS_PER_CHILD = 50
# Kinds with no text to extract (images, archives): "empty" without starting a child.
_NO_TEXT = ("image/", "application/zip", "application/octet-stream")


@dataclasses.dataclass(frozen=True)
class Extraction:
    """status: "ok" (text found), "empty" (readable, no text) or "failed" (texte non
    extractible); reason: why it failed, for the logs only; peak_kb: the child's peak
    resident memory (0 when no child ran)."""

    status: str
    text: str
    reason: str = ""
    peak_kb: int = 0


def extract_text(path: str, mime: str) -> Extraction:
    """The text of the file at `path`, of the (sniffed) MIME type `mime`. `path` is a
    local file: with a remote storage, copy the file to a temporary one first."""
    from django.conf import settings

    if mime not in READERS:
        if mime.startswith(_NO_TEXT):
            return Extraction("empty", "")
        return Extraction("failed", "", f"no reader for {mime}")
    request = {
        "path": os.path.abspath(path),
        "mime": mime,
        "max_chars": int(getattr(settings, "TRANSVERSE_DOCUMENT_TEXT_MAX_CHARS", 1_000_000)),
        "seconds": int(getattr(settings, "TRANSVERSE_DOCUMENT_EXTRACTION_SECONDS", 30)),
        "memory_mb": int(getattr(settings, "TRANSVERSE_DOCUMENT_EXTRACTION_MEMORY_MB", 512)),
        "per_child": DOCUMENTS_PER_CHILD,
    }
    try:
        return _HELPER.run(request)
    except Exception as exc:  # the caller is a worker: report, never raise
        logger.exception("Text extraction could not run for %s", path)
        return Extraction("failed", "", f"helper: {exc!r}"[:300])


# --- the caller's side --------------------------------------------------------------------
class _Helper:
    """The calling process's helper: started on first use, restarted after any fault."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.owner = 0  # the pid that started it: a forked caller starts its own
        self.buffer = b""

    def run(self, request: dict) -> Extraction:
        with self.lock:
            process = self._process()
            try:
                process.stdin.write(json.dumps(request).encode() + b"\n")
                process.stdin.flush()
                line = self._read_line(process, time.monotonic() + request["seconds"] + 10)
                answer = json.loads(line)
                return Extraction(
                    answer["status"], answer["text"], answer["reason"], answer["peak_kb"]
                )
            except (OSError, TimeoutError, ValueError, KeyError, TypeError) as exc:
                self.stop()  # out of step with us: the next call starts a new helper
                return Extraction("failed", "", f"helper lost: {exc!r}"[:300])

    def _process(self) -> subprocess.Popen:
        if self.process and self.owner == os.getpid() and self.process.poll() is None:
            return self.process
        self.stop()  # reap a helper that died
        root = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-m", "intranet.documents.extraction"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        self.owner, self.buffer = os.getpid(), b""
        return self.process

    def _read_line(self, process: subprocess.Popen, deadline: float) -> bytes:
        fd = process.stdout.fileno()
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from the extraction helper")
            ready, _w, _x = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise OSError("the extraction helper exited")
                self.buffer += chunk
        line, _nl, self.buffer = self.buffer.partition(b"\n")
        return line

    def stop(self) -> None:
        """Kill the helper (tests, a lost helper); the next call starts a new one."""
        process, self.process = self.process, None
        if process and self.owner == os.getpid():
            if process.poll() is None:
                process.kill()
            process.wait()
            process.stdin.close()
            process.stdout.close()


_HELPER = _Helper()


def stop_helper() -> None:
    """Stop this process's extraction helper (a worker shutting down, tests); the next
    extract_text() starts a new one."""
    with _HELPER.lock:
        _HELPER.stop()


# --- the helper ---------------------------------------------------------------------------
def _serve() -> None:
    """Answer one JSON request a line on stdin with one JSON line on stdout, each from a
    forked child; stop at end of input."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a ^C reaches the caller, not us
    # The readers warn about every oddity of a malformed file (pypdf, openpyxl): the
    # answer's status and reason say what matters, the worker's log stays readable.
    logging.getLogger().addHandler(logging.NullHandler())
    warnings.simplefilter("ignore")
    _preload()
    child = None
    for line in sys.stdin.buffer:
        request = json.loads(line)
        if child is None or child.memory_mb != request["memory_mb"]:
            if child:
                child.close()
            child = _Child(request["memory_mb"])
        answer = child.extract(request)
        if answer.pop("recycle", True) or child.served >= request["per_child"]:
            child.close()  # after a failure, or grown: the next document gets a new one
            child = None
        sys.stdout.buffer.write(json.dumps(answer).encode() + b"\n")
        sys.stdout.buffer.flush()


def _preload() -> None:
    """Import the readers' libraries once, so that every child starts with them, then
    freeze the garbage collector's view of them: a child's collections then never walk
    (and so never copy) the pages it shares with the helper."""
    import gc

    from intranet.documents import readers

    readers.preload()
    gc.collect()
    gc.freeze()


class _Child:
    """A forked child with its limits, reading the documents the helper sends it."""

    def __init__(self, memory_mb: int):
        self.memory_mb, self.served, self.buffer = memory_mb, 0, b""
        request_r, self.requests = os.pipe()
        self.answers, answer_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self.requests)
                os.close(self.answers)
                _child_main(request_r, answer_w, memory_mb)
            finally:
                os._exit(0)  # no cleanup of the helper's state in the child
        os.close(request_r)
        os.close(answer_w)

    def extract(self, request: dict) -> dict:
        self.served += 1
        try:
            _write_all(self.requests, json.dumps(request).encode() + b"\n")
            line = self._answer(time.monotonic() + request["seconds"])
        except TimeoutError:
            return _failed(f"timed out after {request['seconds']} s", self.close(kill=True))
        except OSError:  # the child died: a signal (CPU limit), or a crash
            peak_kb, status = self._reap()
            reason = f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else ""
            return _failed(reason or "the child exited", peak_kb)
        return json.loads(line)

    def _answer(self, deadline: float) -> bytes:
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if select.select([self.answers], [], [], remaining)[0]:
                chunk = os.read(self.answers, 1 << 20)
                if not chunk:
                    raise OSError("end of the child's answers")
                self.buffer += chunk
        line, _nl, self.buffer = self.buffer.partition(b"\n")
        return line

    def close(self, *, kill: bool = False) -> int:
        """End the child (at end of its input, or killed); its peak memory in kB."""
        if kill:
            os.kill(self.pid, signal.SIGKILL)
        return self._reap()[0]

    def _reap(self) -> tuple[int, int]:
        for fd in (self.requests, self.answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.requests = self.answers = -1
        try:
            _pid, status, usage = os.wait4(self.pid, 0)
        except ChildProcessError:
            return 0, 0
        return int(usage.ru_maxrss), status


def _failed(reason: str, peak_kb: int = 0) -> dict:
    return {"status": "failed", "text": "", "reason": reason, "peak_kb": peak_kb}


def _write_all(fd: int, data: bytes) -> None:
    while data:  # pipes: RLIMIT_FSIZE does not limit them
        data = data[os.write(fd, data) :]


def _child_main(requests: int, answers: int, memory_mb: int) -> None:
    """Set the limits, then answer each request line with an answer line until EOF."""
    import resource

    from intranet.documents.readers import READERS

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The hard CPU limit stays as inherited: lowering it could not be undone for the
    # next document (raising a hard limit needs a privilege the worker does not have).
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    with os.fdopen(requests, "rb") as lines:
        for line in lines:
            request = json.loads(line)
            max_chars = request["max_chars"]
            try:
                used = resource.getrusage(resource.RUSAGE_SELF)
                # CPU seconds for this document on top of those spent: SIGXCPU kills.
                limit = int(used.ru_utime + used.ru_stime) + 1 + request["seconds"]
                if hard != resource.RLIM_INFINITY:
                    limit = min(limit, hard)
                resource.setrlimit(resource.RLIMIT_CPU, (limit, hard))
                text = READERS[request["mime"]](request["path"], max_chars)[:max_chars]
                answer = {"status": "ok" if text.strip() else "empty", "text": text, "reason": ""}
            except BaseException as exc:  # MemoryError, RecursionError, any reader's error
                answer = _failed(f"{type(exc).__name__}: {exc}"[:300])
            answer["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            answer["recycle"] = answer["status"] == "failed" or _grown(memory)
            _write_all(answers, json.dumps(answer).encode() + b"\n")


def _grown(memory: int) -> bool:
    """Whether this process's address space is past half its limit: what a document
    left behind (fragmentation, caches) must not make the next one fail."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE") > memory // 2


if __name__ == "__main__":
    _serve()
