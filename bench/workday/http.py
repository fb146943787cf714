"""A small HTTP/1.1 client on asyncio streams for the swarm: keep-alive connections in a
pool (as a reverse proxy keeps them to its upstream), Content-Length and chunked bodies.
No dependency, and a few times cheaper per request than a general client: the load
generator shares its core with nothing but itself and must not be the bottleneck."""

import asyncio
from urllib.parse import urlsplit


class HttpError(Exception):
    pass


class Pool:
    def __init__(self, base: str, size: int = 64):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.netloc = parts.netloc
        self.free: asyncio.LifoQueue = asyncio.LifoQueue()
        self.slots = asyncio.Semaphore(size)

    async def request(self, method: str, path: str, *, headers=None, body: bytes = b""):
        """(status, headers as a list of (name lowercased, value), body)."""
        async with self.slots:
            for attempt in (1, 2):  # a kept-alive connection the server closed: once more,
                # on a new connection (the other idle ones may be as stale: gunicorn closes
                # them after 2 s)
                if attempt == 2 or self.free.empty():
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                    fresh = True
                else:
                    reader, writer = self.free.get_nowait()
                    fresh = False
                try:
                    result, keep = await self._exchange(reader, writer, method, path, headers, body)
                except (ConnectionError, asyncio.IncompleteReadError, HttpError):
                    writer.close()
                    if fresh or attempt == 2:
                        raise
                    continue
                if keep:
                    self.free.put_nowait((reader, writer))
                else:
                    writer.close()
                return result
        raise HttpError("unreachable")

    async def _exchange(self, reader, writer, method, path, headers, body):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.netloc}"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("closed before the status line")
        status = int(status_line.split()[1])
        answer = []
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            answer.append((name.strip().lower(), value.strip()))
        fields = dict(answer)
        if "content-length" in fields:
            data = await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await reader.readline()
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            data = b"".join(chunks)
        else:
            data = await reader.read()
            return (status, answer, data), False
        keep = fields.get("connection", "").lower() != "close"
        return (status, answer, data), keep

    async def close(self):
        while not self.free.empty():
            _reader, writer = self.free.get_nowait()
            writer.close()
