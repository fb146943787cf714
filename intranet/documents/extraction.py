"""The text of a document, for the search, read where a hostile file can do no harm.

`extract_text(path, mime)` never raises and never stalls its caller: it answers
Extraction("ok" | "empty" | "failed", text) within a bounded time and memory, whatever the
file (corrupt, encrypted, a ZIP bomb, a billion laughs, XML nested 200,000 deep, a PDF
whose page tree loops).

How: the calling process keeps one small helper process (`python -m
intranet.documents.extraction`), started on first use with the readers' libraries
already imported. For each document the helper forks a child that sets its own limits
(address space, CPU seconds, no files written, no core), reads the document and sends
back its text; the helper kills a child still running after the wall-clock timeout and
reaps it. A fork of the preloaded helper costs a few milliseconds where a fresh
interpreter would cost half a second of imports (bench/documents/extraction.py measures
both), and each document starts from a clean copy, so nothing one file does survives
it. The caller's side of the helper is serialised by a lock and restarted if it dies.

Before an office file is opened, its ZIP directory is checked (total uncompressed size,
compression ratio, number of entries) and its XML parts may carry no DTD: OpenDocument
and Office Open XML never need one, and refusing them stops entity expansion before any
parser sees it. The parsers' own limits stay as a second line (lxml's depth limit,
expat's amplification limit, defusedxml in openpyxl), and the child's limits as a third.

Settings, read at each call: TRANSVERSE_DOCUMENT_TEXT_MAX_CHARS (text kept, default
1,000,000), TRANSVERSE_DOCUMENT_EXTRACTION_SECONDS (wall clock and CPU, default 30) and
TRANSVERSE_DOCUMENT_EXTRACTION_MEMORY_MB (the child's address space, default 512).
"""

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
import zipfile
from pathlib import Path

logger = logging.getLogger(__name__)

STATUSES = ("ok", "empty", "failed")
# Kinds with no text to extract (images, archives): "empty" without starting a child.
_NO_TEXT = ("image/", "application/zip", "application/octet-stream")
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_TOTAL_BYTES = 256 * 1024 * 1024  # uncompressed, all entries of an office file
MAX_ZIP_RATIO = 100  # uncompressed / compressed, for an entry of more than 1 MB
MAX_XML_DEPTH = 1_000  # elements walked in an OpenDocument tree


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
    """The text of the file at `path`, of the (sniffed) MIME type `mime`."""
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
            except (OSError, TimeoutError, ValueError) as exc:
                self.stop()
                return Extraction("failed", "", f"helper lost: {exc!r}"[:300])
        answer = json.loads(line)
        return Extraction(answer["status"], answer["text"], answer["reason"], answer["peak_kb"])

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
    _preload()
    for line in sys.stdin.buffer:
        answer = _fork_and_extract(json.loads(line))
        sys.stdout.buffer.write(json.dumps(answer).encode() + b"\n")
        sys.stdout.buffer.flush()


def _preload() -> None:
    """Import the readers' libraries once, so that every child starts with them."""
    import defusedxml  # noqa: F401  (openpyxl uses it when present)
    import docx  # noqa: F401
    import markdown_it  # noqa: F401
    import odf.opendocument  # noqa: F401
    import openpyxl  # noqa: F401
    import pptx  # noqa: F401
    import pypdf  # noqa: F401


def _fork_and_extract(request: dict) -> dict:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limits, read, answer, exit without cleanup
        os.close(read_fd)
        try:
            data = json.dumps(_child_extract(request)).encode()
            while data:  # a pipe, which RLIMIT_FSIZE does not limit
                data = data[os.write(write_fd, data) :]
        finally:
            os._exit(0)
    os.close(write_fd)
    data, timed_out = _read_until(read_fd, time.monotonic() + request["seconds"])
    os.close(read_fd)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _pid, status, usage = os.wait4(pid, 0)
    peak_kb = int(usage.ru_maxrss)
    if timed_out:
        return _failed(f"timed out after {request['seconds']} s", peak_kb)
    if os.WIFSIGNALED(status):
        return _failed(f"killed by signal {os.WTERMSIG(status)}", peak_kb)
    try:
        answer = json.loads(data)
    except ValueError:
        return _failed("no answer from the child", peak_kb)
    answer["peak_kb"] = peak_kb
    return answer


def _failed(reason: str, peak_kb: int = 0) -> dict:
    return {"status": "failed", "text": "", "reason": reason, "peak_kb": peak_kb}


def _read_until(fd: int, deadline: float) -> tuple[bytes, bool]:
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", True
        ready, _w, _x = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)


def _child_extract(request: dict) -> dict:
    import resource

    memory = request["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (request["seconds"], request["seconds"] + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    max_chars = request["max_chars"]
    try:
        text = READERS[request["mime"]](request["path"], max_chars)
    except BaseException as exc:  # MemoryError, RecursionError, any reader's error
        return _failed(f"{type(exc).__name__}: {exc}"[:300])
    text = text[:max_chars]
    return {"status": "ok" if text.strip() else "empty", "text": text, "reason": "", "peak_kb": 0}


# --- readers: (path, max_chars) -> text, run in the child ---------------------------------
class _Collected:
    """Pieces of text up to a number of characters: a reader stops when it is full."""

    def __init__(self, max_chars: int):
        self.pieces: list[str] = []
        self.left = max_chars

    def add(self, piece: str) -> bool:
        """Keep a piece; False when enough text has been kept."""
        if piece:
            self.pieces.append(piece[: self.left])
            self.left -= len(piece)
        return self.left > 0

    def text(self, separator: str = "\n") -> str:
        return separator.join(self.pieces)


def _read_pdf(path: str, max_chars: int) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path, strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("encrypted PDF")  # only an empty user password is tried
    collected = _Collected(max_chars)
    for page in reader.pages:
        if not collected.add(page.extract_text() or ""):
            break
    return collected.text()


def _read_text(path: str, max_chars: int) -> str:
    with open(path, "rb") as file:
        data = file.read(max_chars * 4)
    return data.decode("utf-8-sig", "replace")


def _read_markdown(path: str, max_chars: int) -> str:
    from markdown_it import MarkdownIt

    collected = _Collected(max_chars)
    for token in MarkdownIt("js-default").parse(_read_text(path, max_chars)):
        if token.type in ("fence", "code_block"):
            collected.add(token.content.rstrip("\n"))
        elif token.type == "inline":
            line = "".join(
                child.content if child.type in ("text", "code_inline") else "\n"
                for child in token.children or ()
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            collected.add(line)
    return collected.text()


def check_zip(path: str) -> None:
    """Raise ValueError for a ZIP container that would expand past the limits (a ZIP
    bomb) or whose XML parts declare a DTD (entity expansion)."""
    with zipfile.ZipFile(path) as archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES:
            raise ValueError(f"{len(entries)} entries in the ZIP container")
        total = sum(entry.file_size for entry in entries)
        if total > MAX_ZIP_TOTAL_BYTES:
            raise ValueError(f"{total} bytes once uncompressed")
        for entry in entries:
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO:
                raise ValueError(f"{entry.filename} compressed {ratio:.0f} times")
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels")):
                with archive.open(entry) as part:
                    prolog = part.read(4096)
                if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                    raise ValueError(f"{entry.filename} declares a DTD")


def _read_odf(path: str, max_chars: int) -> str:
    from odf.opendocument import load

    check_zip(path)
    collected = _Collected(max_chars)
    # Depth-first, without recursion: nesting is bounded by MAX_XML_DEPTH instead.
    stack = [(load(path).body, 0)]
    line: list[str] = []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_XML_DEPTH:
            raise ValueError("XML nested too deeply")
        if node is None:  # the end of a paragraph or a cell
            if not collected.add("".join(line)):
                break
            line = []
            continue
        if node.nodeType == node.TEXT_NODE:
            line.append(node.data)
            continue
        name = node.qname[1] if node.qname else ""
        if name in ("tab", "s"):
            line.append(" ")
        elif name == "line-break":
            line.append("\n")
        if name in ("p", "h"):
            stack.append((None, depth))
        stack.extend((child, depth + 1) for child in reversed(node.childNodes))
    collected.add("".join(line))
    return collected.text()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _paragraphs(root, paragraph: str, run_text: str, collected: _Collected) -> bool:
    for element in root.iter(paragraph):
        if not collected.add("".join(t.text or "" for t in element.iter(run_text))):
            return False
    return True


def _read_docx(path: str, max_chars: int) -> str:
    import docx

    check_zip(path)
    collected = _Collected(max_chars)
    _paragraphs(docx.Document(path).element.body, f"{_W}p", f"{_W}t", collected)
    return collected.text()


def _read_pptx(path: str, max_chars: int) -> str:
    import pptx

    check_zip(path)
    collected = _Collected(max_chars)
    for slide in pptx.Presentation(path).slides:
        if not _paragraphs(slide.element, f"{_A}p", f"{_A}t", collected):
            break
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and not collected.add(notes.text):
                break
    return collected.text()


def _read_xlsx(path: str, max_chars: int) -> str:
    import openpyxl

    check_zip(path)
    collected = _Collected(max_chars)
    # A file object: openpyxl refuses a path whose name does not end in .xlsx, and
    # stored files have generated names.
    file = open(path, "rb")  # noqa: SIM115  (closed with the workbook)
    workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            collected.add(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells = [str(value) for value in row if value is not None]
                if cells and not collected.add("\t".join(cells)):
                    return collected.text()
    finally:
        workbook.close()
        file.close()
    return collected.text()


READERS = {
    "application/pdf": _read_pdf,
    "text/plain": _read_text,
    "text/csv": _read_text,
    "text/markdown": _read_markdown,
    "application/vnd.oasis.opendocument.text": _read_odf,
    "application/vnd.oasis.opendocument.spreadsheet": _read_odf,
    "application/vnd.oasis.opendocument.presentation": _read_odf,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _read_docx,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _read_xlsx,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _read_pptx,
}


if __name__ == "__main__":
    _serve()
