"""A small server speaking clamd's protocol, for machines without ClamAV signatures.

It listens on a unix socket or a TCP port of 127.0.0.1, answers PING, VERSION and
INSTREAM (z- and n-prefixed commands) like clamd does, flags the EICAR test string
anywhere in the stream (across chunk boundaries too), and enforces a StreamMaxLength.
`behaviour` plays clamd's faults: "silent" reads the stream and never answers,
"hangup" closes the connection as soon as the command arrives.

Also `private_clamd`: a real clamd started on a private socket with a one-signature
database of our own (EICAR), so that the real daemon is exercised without the ClamAV
signature databases, which this machine cannot download.
"""

import contextlib
import socket
import struct
import subprocess
import threading
from pathlib import Path

from tests.services import require_executable
from tests.waiting import wait_until

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
SIGNATURE = "Eicar-Test-Signature"


class ClamdServer:
    def __init__(
        self,
        *,
        unix_path: str | None = None,
        max_stream: int = 25 * 1024 * 1024,
        behaviour: str = "normal",
    ):
        self.unix_path, self.max_stream, self.behaviour = unix_path, max_stream, behaviour
        self.received: list[int] = []  # bytes of each INSTREAM stream
        self.chunks: list[int] = []  # chunks of each INSTREAM stream
        self.threads: list[threading.Thread] = []
        if unix_path:
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(unix_path)
        else:
            self.listener = socket.socket()
            self.listener.bind(("127.0.0.1", 0))
        self.port = None if unix_path else self.listener.getsockname()[1]
        self.listener.listen(16)
        self.stopping = threading.Event()
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def stop(self) -> None:
        self.stopping.set()
        with contextlib.suppress(OSError):  # wakes the thread blocked in accept()
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for thread in [self.acceptor, *self.threads]:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(10)
        with connection:
            try:
                command, terminator = self._command(connection)
                if self.behaviour == "hangup":
                    return
                if command == b"PING":
                    connection.sendall(b"PONG" + terminator)
                elif command == b"VERSION":
                    connection.sendall(b"ClamAV 1.4.6/test" + terminator)
                elif command == b"INSTREAM":
                    reply = self._instream(connection)
                    if self.behaviour != "silent":
                        connection.sendall(reply + terminator)
                    else:
                        self.stopping.wait(30)
                else:
                    connection.sendall(b"UNKNOWN COMMAND" + terminator)
            except OSError:
                return

    @staticmethod
    def _command(connection: socket.socket) -> tuple[bytes, bytes]:
        first = _exactly(connection, 1)
        terminator = b"\0" if first == b"z" else b"\n"
        command = b""
        while not command.endswith(terminator):
            command += _exactly(connection, 1)
        return command[:-1], terminator

    def _instream(self, connection: socket.socket) -> bytes:
        total, chunks, found, tail = 0, 0, False, b""
        while True:
            (length,) = struct.unpack("!L", _exactly(connection, 4))
            if length == 0:
                break
            if total + length > self.max_stream:
                self.received.append(total)
                return b"INSTREAM size limit exceeded. ERROR"
            chunk = _exactly(connection, length)
            total, chunks = total + length, chunks + 1
            found = found or EICAR in tail + chunk
            tail = (tail + chunk)[-(len(EICAR) - 1) :]
        self.received.append(total)
        self.chunks.append(chunks)
        return f"stream: {SIGNATURE} FOUND".encode() if found else b"stream: OK"


def _exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = connection.recv(size - len(data))
        if not part:
            raise ConnectionError("the client closed the connection")
        data += part
    return data


# --- a real clamd with a private signature --------------------------------------------------
CLAMD = "/usr/sbin/clamd"
PRIVATE_SIGNATURE = "Transverse.Test.EICAR"


def private_clamd(folder: Path) -> tuple[subprocess.Popen, str]:
    """Start the machine's clamd on a socket in `folder`, with a database holding one
    body signature (EICAR anywhere in a file, archives unpacked); (process, socket)."""
    database = folder / "db"
    database.mkdir()
    (database / "transverse-test.ndb").write_text(f"{PRIVATE_SIGNATURE}:0:*:{EICAR.hex()}\n")
    return start_clamd(folder, database)


def start_clamd(
    folder: Path, database: Path, *, timeout: float = 30
) -> tuple[subprocess.Popen, str]:
    """The machine's clamd on a socket in `folder` reading the signatures in `database`,
    once it answers PING; (process, socket path)."""
    executable = require_executable(CLAMD, "apt-get install clamav-daemon")
    path = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        f"LocalSocket {path}\nDatabaseDirectory {database}\nForeground yes\n"
        f"TemporaryDirectory {folder}\nLogFile {folder / 'clamd.log'}\n"
        "StreamMaxLength 30M\nMaxThreads 2\n"
    )
    process = subprocess.Popen(
        [executable, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_until(
        lambda: _pong(path) or process.poll() is not None,
        timeout=timeout,
        what="clamd to answer PING",
    )
    if process.poll() is not None:
        log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
        raise AssertionError(f"clamd did not start: {log[-2000:]}")
    return process, str(path)


def _pong(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(2)
            connection.connect(str(path))
            connection.sendall(b"zPING\0")
            return connection.recv(16) == b"PONG\0"
    except OSError:
        return False
