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
   application takes them (_LazyBody), REQUEST_MESSAGE_BYTES at a time; daphne does not
   even read the file to queue them (_Spans).
2. Downloads. daphne writes what the application sends into Twisted's buffer at once:
   `await send(...)` never waits for the client, so a file read faster than the client
   takes it piled up in memory (+594 MB for two 200 MB downloads). Each response now
   registers a push producer on its connection; Twisted pauses it when its buffer for
   the connection holds more than SEND_BUFFER_BYTES, and daphne's `send` waits until it
   resumes: memory stays flat whatever the client's speed. Django cuts each streamed
   block into 64 KiB messages; it sends RESPONSE_MESSAGE_BYTES at once instead.

3. Django's ASGIHandler copies the request body from those messages into its own
   temporary file (a SpooledTemporaryFile) before the view reads it: one more full write
   and read of an upload. When the messages come from a request's temporary file
   (_LazyBody, whole and in order), Django now reads the body from that file directly
   (_read_body); any other request is read as Django does.

Nothing changes for WebSockets. `install()` runs once, from intranet/asgi.py; it does
nothing when daphne is not installed (another ASGI server serves the site).
"""

import asyncio
import os

DRAIN_CHECK_SECONDS = 1.0
# What Twisted keeps for a connection before pausing its response (its default, 64 KiB,
# paused and resumed the response for nearly every block Django sends).
SEND_BUFFER_BYTES = 1024 * 1024


REQUEST_MESSAGE_BYTES = 1024 * 1024
RESPONSE_MESSAGE_BYTES = 1024 * 1024


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


async def _lazy_body_file(receive):
    """(the request's body as a file of its own, None) when every message of the body is a
    _LazyBody of one file, in order from its start and ending with it; else (None, the
    messages received, to be read as Django does)."""
    messages, length, file = [], 0, None
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            break
    for message in messages:
        if isinstance(message, _LazyBody):
            where, offset, size = message._where
            if (file is not None and where is not file) or offset != length:
                return None, messages
            file, length = where, length + size
        elif message["type"] != "http.request" or message.get("body"):
            return None, messages
    if file is None:
        return None, messages
    try:  # a description of its own (its own position), on the same unnamed file
        fd = os.open(f"/proc/self/fd/{file.fileno()}", os.O_RDONLY)
    except (OSError, ValueError):
        return None, messages
    body = os.fdopen(fd, "rb")
    if os.fstat(fd).st_size != length:
        body.close()
        return None, messages
    return body, messages


def _read_body(read_body):
    async def patched(self, receive):
        body, messages = await _lazy_body_file(receive)
        if body is not None:
            return body

        async def replay():
            return messages.pop(0) if messages else await receive()

        return await read_body(self, replay)

    return patched


class _Span(int):
    """What daphne's read of a request's body returns instead of the bytes: their length."""

    def __len__(self):
        return int(self)


class _Spans:
    """A request's body file whose reads return spans (_Span), not bytes: daphne's process()
    reads the whole body only to queue it, and the messages read their bytes later."""

    def __init__(self, content, size: int):
        self._content, self._left = content, size

    def __getattr__(self, name):
        return getattr(self._content, name)

    def read(self, size=-1):
        span = self._left if size is None or size < 0 else min(size, self._left)
        self._left -= span
        return _Span(span)


class _LazyQueue:
    """daphne's queue of one request, as daphne's process() fills it: bodies stay on disk."""

    def __init__(self, queue, request):
        self._queue, self._request, self._offset, self._file = queue, request, 0, None
        content = request.content
        try:  # its own descriptor: Twisted may close the request's file first
            self._file = os.fdopen(os.dup(content.fileno()), "rb", 0)
            left = os.fstat(self._file.fileno()).st_size - content.tell()
        except (AttributeError, OSError, ValueError):  # a small body, kept in memory
            self._file = None
            return
        self._offset = content.tell()
        request.content = _Spans(content, left)

    def __getattr__(self, name):
        return getattr(self._queue, name)

    def put_nowait(self, message):
        body = message.get("body") if message.get("type") == "http.request" else None
        if isinstance(body, _Span):
            message = _LazyBody(message, self._file, self._offset, int(body))
            self._offset += int(body)
            if not message.get("more_body", False):  # the whole body is queued
                self._request.content = self._request.content._content
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
        from django.core.handlers.asgi import ASGIHandler
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
            transport = getattr(self.channel, "transport", None)
            if transport is not None:  # the body read from the socket in larger pieces
                transport.bufferSize = max(transport.bufferSize, SEND_BUFFER_BYTES)

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
    ASGIHandler.read_body = _read_body(ASGIHandler.read_body)
    # Django cuts every streamed block into 64 KiB messages: each one a trip through
    # daphne's send and Twisted's write. One message per block the view yields instead.
    ASGIHandler.chunk_size = max(ASGIHandler.chunk_size, RESPONSE_MESSAGE_BYTES)
