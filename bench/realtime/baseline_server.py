"""The baseline: a bare websockets-library server doing the same socket work as Transverse
(parse the frame, validate it, acknowledge, broadcast to the room) without Django, the
database or a channel layer. Started as its own process by the swarm."""

import asyncio
import json
import sys

from websockets.asyncio.server import broadcast, serve

CONNECTIONS: set = set()
SEQ = {"n": 0}


async def handler(socket):
    CONNECTIONS.add(socket)
    await socket.send(json.dumps({"type": "hello", "live": True}))
    try:
        async for raw in socket:
            frame = json.loads(raw)
            if frame.get("action") != "send" or not isinstance(frame.get("body"), str):
                await socket.send(json.dumps({"type": "error", "code": "bad_request"}))
                continue
            SEQ["n"] += 1
            message = {
                "id": SEQ["n"],
                "seq": SEQ["n"],
                "rev": SEQ["n"],
                "body": frame["body"],
                "key": frame.get("key"),
                "conversation": frame.get("conversation"),
            }
            await socket.send(
                json.dumps({"type": "ack", "message": message, "ref": frame.get("ref")})
            )
            broadcast(
                CONNECTIONS - {socket}, json.dumps({"type": "message.created", "message": message})
            )
    finally:
        CONNECTIONS.discard(socket)


async def main(port: int, backlog: int):
    # backlog: the listen backlog of the daphne processes it is compared with.
    options = {"ping_interval": None, "max_size": 2**20, "backlog": backlog}
    async with serve(handler, "127.0.0.1", port, **options):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
