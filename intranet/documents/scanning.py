"""Malware scanning of uploaded documents by ClamAV's clamd, as ANSSI advises.

Off by default. On when TRANSVERSE_CLAMD_SOCKET names clamd's unix socket, or
TRANSVERSE_CLAMD_HOST (and TRANSVERSE_CLAMD_PORT, 3310) its TCP address. The file is
streamed with clamd's INSTREAM command in chunks, so clamd needs no access to our files,
under one deadline (TRANSVERSE_CLAMD_TIMEOUT seconds for the whole scan).

A scan answers "clean", "infected" (with the signature's name) or "error": clamd down,
slow, over its StreamMaxLength, or any answer we do not understand. "error" is never
"clean": the caller keeps the upload analysing and tries again later.
"""

import dataclasses
import logging
import socket
import struct
import time

from django.conf import settings

logger = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
VERDICTS = ("clean", "infected", "error")


@dataclasses.dataclass(frozen=True)
class ScanResult:
    """verdict: "clean", "infected" or "error"; signature: the malware's name when
    infected; detail: what went wrong on "error", for the logs."""

    verdict: str
    signature: str = ""
    detail: str = ""


def scanner_enabled() -> bool:
    """Whether uploads go through clamd (a socket or a host is configured)."""
    return bool(
        getattr(settings, "TRANSVERSE_CLAMD_SOCKET", "")
        or getattr(settings, "TRANSVERSE_CLAMD_HOST", "")
    )


def scan_file(path: str) -> ScanResult:
    """clamd's verdict on the file at `path`; never raises."""
    if not scanner_enabled():
        return ScanResult("error", detail="no malware scanner is configured")
    timeout = float(getattr(settings, "TRANSVERSE_CLAMD_TIMEOUT", 120))
    deadline = time.monotonic() + timeout
    try:
        with _connect(timeout) as connection, open(path, "rb") as file:
            reply = _instream(connection, file, deadline)
    except (OSError, TimeoutError) as exc:  # refused, reset, timed out, file gone
        logger.warning("Malware scan of %s failed: %r", path, exc)
        return ScanResult("error", detail=f"clamd: {exc!r}"[:300])
    return _verdict(reply)


def _connect(timeout: float) -> socket.socket:
    path = getattr(settings, "TRANSVERSE_CLAMD_SOCKET", "")
    if path:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(path)
        except OSError:
            connection.close()
            raise
        return connection
    address = (
        settings.TRANSVERSE_CLAMD_HOST,
        int(getattr(settings, "TRANSVERSE_CLAMD_PORT", 3310)),
    )
    return socket.create_connection(address, timeout=timeout)


def _instream(connection: socket.socket, file, deadline: float) -> bytes:
    """Send the file as INSTREAM chunks, then read clamd's NUL-terminated reply."""
    connection.sendall(b"zINSTREAM\0")
    try:
        while chunk := file.read(CHUNK_BYTES):
            _remaining(connection, deadline)
            connection.sendall(struct.pack("!L", len(chunk)) + chunk)
        connection.sendall(struct.pack("!L", 0))
    except (BrokenPipeError, ConnectionResetError):
        pass  # clamd stops reading past StreamMaxLength; its reply says so
    reply = b""
    while not reply.endswith(b"\0") and len(reply) < 4096:
        _remaining(connection, deadline)
        data = connection.recv(4096)
        if not data:
            break
        reply += data
    return reply


def _remaining(connection: socket.socket, deadline: float) -> None:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("clamd did not answer in time")
    connection.settimeout(remaining)


def _verdict(reply: bytes) -> ScanResult:
    """ "stream: OK", "stream: <name> FOUND" or "<message> ERROR"."""
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text == "stream: OK":
        return ScanResult("clean")
    if text.startswith("stream: ") and text.endswith(" FOUND"):
        return ScanResult("infected", signature=text[len("stream: ") : -len(" FOUND")])
    logger.warning("Malware scan failed, clamd answered %r", text[:200])
    return ScanResult("error", detail=f"clamd answered {text[:200]!r}")
