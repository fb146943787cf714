"""Two adjustments of daphne, the embedded server (`bootstrap.py run`), for large bodies.

Measured with bench/documents/transfer.py (bench/results/documents.md):

1. Uploads. Twisted parses every multipart POST body into `request.args`, which daphne
   never reads: the whole body read into memory and decoded by the email package. A
   200 MB upload took 3.2 GB and 80 s inside daphne before Django saw a byte. daphne's
   requests are now created without that parsing (Twisted's own switch,
   `parsePOSTFormSubmission=False`); Django parses the body, to disk.
   Then daphne reads the whole body (kept by Twisted in a temporary file) into its queue
   of `http.request` messages at once, 8 KiB each: memory grew by the body's size. The
   messages now keep only where their bytes are in that file and read them when the
   application takes them (_LazyBody), REQUEST_MESSAGE_BYTES at a time.
2. Downloads. daphne writes what the application sends into Twisted's buffer at once:
   `await send(...)` never waits for the client, so a file read faster than the client
   takes it piled up in memory (+594 MB for two 200 MB downloads). Each response now
   registers a push producer on its connection; Twisted pauses it when its buffer for
   the connection holds more than SEND_BUFFER_BYTES, and daphne's `send` waits until it
   resumes: memory stays flat whatever the client's speed.

Nothing changes for WebSockets. `install()` runs once, from intranet/asgi.py; it does
nothing when daphne is not installed (another ASGI server serves the site).
"""

import asyncio
import os

DRAIN_CHECK_SECONDS = 1.0
# What Twisted keeps for a connection before pausing its response (its default, 64 KiB,
# paused and resumed the response for nearly every block Django sends).
SEND_BUFFER_BYTES = 1024 * 1024


REQUEST_MESSAGE_BYTES = 256 * 1024


class _LazyBody(dict):
    """An `http.request` message whose body is read from the request's temporary file only
    when the application takes it (Django reads `message["body"]` once)."""

    def __init__(self, message: dict, file, offset: int, length: int):
        super().__init__({k: v for k, v in message.items() if k != "body"})
        self._where = (file, offset, length)

    def __contains__(self, key):
        return key == "body" or super().__contains__(key)

    def __getitem__(self, key):
        if key != "body":
            return super().__getitem__(key)
        file, offset, length = self._where
        return os.pread(file.fileno(), length, offset) if length else b""

    def get(self, key, default=None):
        return self["body"] if key == "body" else super().get(key, default)


class _LazyQueue:
    """daphne's queue of one request, as daphne's process() fills it: bodies stay on disk."""

    def __init__(self, queue, request):
        self._queue, self._request, self._offset, self._file = queue, request, 0, None

    def __getattr__(self, name):
        return getattr(self._queue, name)

    def put_nowait(self, message):
        body = message.get("body") if message.get("type") == "http.request" else None
        if body and self._file is None:
            try:  # its own descriptor: Twisted may close the request's file first
                self._file = os.fdopen(os.dup(self._request.content.fileno()), "rb", 0)
            except (AttributeError, OSError, ValueError):  # a small body, kept in memory
                self._file = False
        if body and self._file:
            message = _LazyBody(message, self._file, self._offset, len(body))
            self._offset += len(body)
        self._queue.put_nowait(message)


class _Pacer:
    """A push producer Twisted pauses while the connection's send buffer is full."""

    def __init__(self):
        self._resumed: asyncio.Future | None = None

    def pauseProducing(self):  # Twisted's names
        if self._resumed is None:
            self._resumed = asyncio.get_event_loop().create_future()

    def resumeProducing(self):
        resumed, self._resumed = self._resumed, None
        if resumed is not None and not resumed.done():
            resumed.set_result(None)

    stopProducing = resumeProducing  # the connection is gone: stop waiting

    async def drained(self, request) -> None:
        while self._resumed is not None and request.channel is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._resumed), DRAIN_CHECK_SECONDS)
            except TimeoutError:
                continue


def install() -> None:
    try:
        from daphne import http_protocol, server
        from twisted.internet.interfaces import IPushProducer
        from zope.interface import classImplements
    except ImportError:
        return
    if getattr(http_protocol.WebRequest, "transverse_tuned", False):
        return
    classImplements(_Pacer, IPushProducer)

    class WebRequest(http_protocol.WebRequest):
        transverse_tuned = True
        pacer = None

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("parsePOSTFormSubmission", False)
            super().__init__(*args, **kwargs)

        @property
        def application_queue(self):
            return self.__dict__.get("application_queue")

        @application_queue.setter
        def application_queue(self, queue):
            if queue is not None:
                queue = _LazyQueue(queue, self)
                # Read by process() right after: larger messages, fewer of them.
                buffer = max(self.server.request_buffer_size, REQUEST_MESSAGE_BYTES)
                self.server.request_buffer_size = buffer
            self.__dict__["application_queue"] = queue

        def handle_reply(self, message):
            kind = message.get("type")
            if kind == "http.response.start" and self.channel is not None and not self.producer:
                self.pacer = _Pacer()
                self.registerProducer(self.pacer, True)
                transport = self.channel.transport
                transport.bufferSize = max(transport.bufferSize, SEND_BUFFER_BYTES)
            elif (
                kind == "http.response.body"
                and not message.get("more_body", False)
                and self.pacer is not None
                and self.producer is self.pacer
                and self.channel is not None
            ):
                self.unregisterProducer()
            super().handle_reply(message)

    http_protocol.WebRequest = WebRequest  # HTTPFactory.buildProtocol reads it by name
    reply = server.Server.handle_reply

    async def handle_reply(self, protocol, message):
        await reply(self, protocol, message)
        pacer = getattr(protocol, "pacer", None)
        if pacer is not None and message.get("more_body", False):
            await pacer.drained(protocol)

    server.Server.handle_reply = handle_reply
