"""A keep-alive HTTP/1.1 load client on asyncio (uvloop when installed): `concurrency`
connections each send the next request of a page mix as soon as the previous answer is
read, for `seconds`. Only what the harness needs: GET, Content-Length or chunked bodies,
and a new connection when the server says `Connection: close` (gunicorn's sync workers).
"""

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Result:
    latencies: dict = field(default_factory=dict)  # kind -> [seconds]
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    seconds: float = 0.0
    reconnects: int = 0

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.latencies.values())


async def _read_response(reader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    close = headers.get("connection", "").lower() == "close"
    return status, close


async def _connection(port, requests, offset, deadline, result):
    reader = writer = None
    n = offset
    while time.perf_counter() < deadline:
        kind, raw = requests[n % len(requests)]
        n += 1
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        started = time.perf_counter()
        try:
            writer.write(raw)
            status, close = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            result.errors += 1
            writer.close()
            writer = None
            result.reconnects += 1
            continue
        elapsed = time.perf_counter() - started
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if status != 200:
            result.errors += 1
        else:
            result.latencies.setdefault(kind, []).append(elapsed)
        if close:
            writer.close()
            writer = None
            result.reconnects += 1
    if writer is not None:
        writer.close()


def request_bytes(path: str, cookie: str | None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: text/html"]
    if cookie:
        lines.append(f"Cookie: sessionid={cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def run(
    port: int, requests: list[tuple[str, bytes]], *, concurrency: int, seconds: float
) -> Result:
    """requests: (kind, raw request bytes), taken in turn by each connection."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    result = Result()

    async def main():
        deadline = time.perf_counter() + seconds
        started = time.perf_counter()
        step = max(1, len(requests) // max(1, concurrency))
        await asyncio.gather(
            *(_connection(port, requests, i * step, deadline, result) for i in range(concurrency))
        )
        result.seconds = time.perf_counter() - started

    runner(main())
    return result
