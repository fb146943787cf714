"""A minimal client of the Transverse WebSocket protocol (docs/realtime.md), on the
websockets library: used by the multi-process tests and the benchmark swarm."""

import asyncio
import contextlib
import json

from websockets.asyncio.client import connect

SESSION_COOKIE = "sessionid"


class Client:
    def __init__(self, server, session_key: str, agent_id: int):
        self.server, self.session_key, self.agent_id = server, session_key, agent_id
        self.socket = None
        self.frames: asyncio.Queue = asyncio.Queue()
        self.reader = None
        # Called with each frame instead of queueing it (fan-out receivers: a task
        # switch less per frame, so the client swarm measures the server, not itself).
        self.on_frame = None

    async def open(self, *, timeout: float = 10.0) -> dict:
        self.socket = await asyncio.wait_for(
            connect(
                self.server.ws_url(),
                origin=self.server.origin,
                additional_headers={"Cookie": f"{SESSION_COOKIE}={self.session_key}"},
                max_size=2**22,
                open_timeout=timeout,
                ping_interval=None,
            ),
            timeout,
        )
        self.reader = asyncio.ensure_future(self._read())
        return await self.expect("hello", timeout=timeout)

    async def _read(self) -> None:
        with contextlib.suppress(Exception):  # closed: the reader just stops
            async for raw in self.socket:
                if self.on_frame is not None:
                    self.on_frame(json.loads(raw))
                else:
                    await self.frames.put(json.loads(raw))
        await self.frames.put({"type": "_closed"})

    async def send(self, frame: dict) -> None:
        await self.socket.send(json.dumps(frame))

    async def expect(self, kind: str, *, timeout: float = 5.0, where=None) -> dict:
        async def wait():
            while True:
                frame = await self.frames.get()
                if frame.get("type") == "_closed" and kind != "_closed":
                    raise ConnectionError("socket closed")
                if frame.get("type") == kind and (where is None or where(frame)):
                    return frame

        return await asyncio.wait_for(wait(), timeout)

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)
