"""The working day's baselines, served on the same core as Transverse in the same run.

- `hello`: a bare Django project (one view answering "hello" to GET and POST, no
  middleware, no database) as an ASGI application, served by daphne like Transverse:
  `daphne bench.workday.baselines:hello`.
- `python -m bench.workday.baselines PORT`: a bare websockets-library server doing the
  chat's socket work without Django, a database or a channel layer: each client says which
  conversations it reads (`{"action": "rooms", "rooms": [...]}`), a `send` is acknowledged
  and broadcast to the other sockets of that conversation, `ping` gets `pong`.
"""

import asyncio
import json
import sys

if __name__ != "__main__":
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            DEBUG=False,
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=__name__,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
            SECRET_KEY="bench-hello",  # noqa: S106 (a baseline without secrets)
        )
    django.setup()
    from django.core.handlers.asgi import ASGIHandler
    from django.http import HttpResponse
    from django.urls import re_path

    def hello_view(request):
        return HttpResponse("hello")

    urlpatterns = [re_path(r"", hello_view)]
    hello = ASGIHandler()


async def main(port: int) -> None:
    from websockets.asyncio.server import broadcast, serve

    rooms: dict[int, set] = {}
    seq = {"n": 0}

    async def handler(socket):
        mine: list[int] = []
        await socket.send(json.dumps({"type": "hello", "live": True}))
        try:
            async for raw in socket:
                frame = json.loads(raw)
                action = frame.get("action")
                if action == "rooms":
                    mine[:] = [int(r) for r in frame["rooms"]]
                    for room in mine:
                        rooms.setdefault(room, set()).add(socket)
                elif action == "send" and isinstance(frame.get("body"), str):
                    seq["n"] += 1
                    room = frame.get("conversation")
                    message = {
                        "id": seq["n"],
                        "seq": seq["n"],
                        "rev": seq["n"],
                        "key": frame.get("key"),
                        "body": frame["body"],
                        "conversation": room,
                    }
                    await socket.send(
                        json.dumps({"type": "ack", "message": message, "ref": frame.get("ref")})
                    )
                    others = rooms.get(room, set()) - {socket}
                    broadcast(others, json.dumps({"type": "message.created", "message": message}))
                elif action == "ping":
                    await socket.send(
                        json.dumps({"type": "pong", "live": True, "ref": frame.get("ref")})
                    )
                else:
                    await socket.send(json.dumps({"type": "ack", "ref": frame.get("ref")}))
        finally:
            for room in mine:
                rooms.get(room, set()).discard(socket)

    async with serve(handler, "127.0.0.1", port, ping_interval=None, backlog=4096):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
