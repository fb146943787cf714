"""The channel layer: channels_redis's pub/sub layer, with subscriptions sent in batches.

channels_redis sends one SUBSCRIBE per channel and per group, one at a time behind a
lock that publishes wait for too. A socket subscribes to three channels of its own (its
channel, its agent's and its session's groups) plus its conversations and groups, so when
a restarted server gets every socket back at once, each handshake waited behind
thousands of round trips to Redis (and daphne drops a handshake not accepted in 5 s).

Here, subscriptions and unsubscriptions asked for while one command is in flight go out
together in the next one, in the order asked (SUBSCRIBE a b c, UNSUBSCRIBE d, ...); a
channel already subscribed with nothing pending costs no wait. Publishes do not wait for
subscriptions; they go out in order, those asked for while one is in flight together in
one pipeline, on one connection at a time. A message published to a group reaches each
local socket of the group as the same bytes: it is decoded once, and every socket gets
the same dict (which consumers only read, but for the relay's cached encoding).
Everything else is channels_redis's, including the `prefix` of channel and group names
("asgi" by default), which settings set to the instance's name (intranet.core.instance):
Redis pub/sub ignores the database number, so it is what keeps two sites apart.
"""

import asyncio
import collections
import itertools
import logging

from channels_redis import pubsub
from channels_redis.utils import decode_hosts

from realtime.outage import Outage

# channels_redis logged a traceback a second while Redis was away (its receive loop):
# once per outage here, then a summary (BatchingShardConnection._do_receiving).
receive_outage = Outage(logging.getLogger(__name__), "channel layer (receiving)")

DECODED_KEPT = 256  # group messages kept decoded (RedisPubSubChannelLayer.deserialize)


def _settle(waiters: list[asyncio.Future], error: BaseException | None) -> None:
    for done in waiters:
        if done.done():
            continue
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)
            done.exception()  # retrieved: a caller may have stopped waiting


class BatchingShardConnection(pubsub.RedisSingleShardConnection):
    def __init__(self, host, channel_layer):
        super().__init__(host, channel_layer)
        self._ops: list[tuple[bool, str, asyncio.Future]] = []  # (subscribe?, channel, done)
        self._pending: collections.Counter = collections.Counter()  # channel → ops queued
        self._worker: asyncio.Task | None = None
        self._to_publish: list[tuple[str, bytes, asyncio.Future]] = []
        self._publisher: asyncio.Task | None = None

    async def publish(self, channel, message):
        """Publish in order, without waiting for subscriptions; publishes asked for while
        one is in flight go out together in one pipeline.

        One at a time on the pool's connections, as they were, a restarted server's
        storm of presence announcements opened a connection each until redis-py's pool
        refused ("Too many connections", its default limit is 100)."""
        done = asyncio.get_running_loop().create_future()
        self._to_publish.append((channel, message, done))
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.ensure_future(self._publish_queued())
        await asyncio.shield(done)  # a caller that stops waiting does not cancel the batch

    async def _publish_queued(self) -> None:
        while self._to_publish:
            batch, self._to_publish = self._to_publish, []
            error = None
            try:
                self._ensure_redis()
                if len(batch) == 1:
                    await self._redis.publish(batch[0][0], batch[0][1])
                else:
                    pipe = self._redis.pipeline(transaction=False)
                    for channel, message, _done in batch:
                        pipe.publish(channel, message)
                    await pipe.execute()
            except Exception as exc:  # every caller of this batch gets the error
                error = exc
            _settle([done for _channel, _message, done in batch], error)

    async def subscribe(self, channel):
        if channel in self._subscribed_to and not self._pending[channel]:
            return
        await self._queue(True, channel)

    async def unsubscribe(self, channel):
        if channel not in self._subscribed_to and not self._pending[channel]:
            return
        await self._queue(False, channel)

    async def _queue(self, subscribe: bool, channel: str) -> None:
        done = asyncio.get_running_loop().create_future()
        self._ops.append((subscribe, channel, done))
        self._pending[channel] += 1
        if self._worker is None or self._worker.done():
            self._worker = asyncio.ensure_future(self._run())
        await asyncio.shield(done)  # a caller that stops waiting does not cancel the batch

    async def _run(self) -> None:
        while self._ops:
            ops, self._ops = self._ops, []
            for subscribe, run in itertools.groupby(ops, key=lambda op: op[0]):
                run = list(run)
                error = None
                try:
                    await self._apply(subscribe, list(dict.fromkeys(op[1] for op in run)))
                except Exception as exc:  # every caller of this command gets the error
                    error = exc
                for _subscribe, channel, _done in run:
                    self._pending[channel] -= 1
                    if self._pending[channel] <= 0:
                        del self._pending[channel]
                _settle([done for _subscribe, _channel, done in run], error)

    async def _apply(self, subscribe: bool, channels: list[str]) -> None:
        async with self._lock:
            self._ensure_redis()
            self._ensure_receiver()
            if subscribe:
                todo = [c for c in channels if c not in self._subscribed_to]
                if todo:
                    await self._pubsub.subscribe(*todo)
                    self._subscribed_to.update(todo)
            else:
                todo = [c for c in channels if c in self._subscribed_to]
                if todo:
                    await self._pubsub.unsubscribe(*todo)
                    self._subscribed_to.difference_update(todo)

    async def _do_receiving(self):
        """channels_redis's receive loop, its failures logged once per outage."""
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    receive_outage.ok()
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except (TimeoutError, asyncio.CancelledError, GeneratorExit):
                raise
            except BaseException as exc:  # as channels_redis: retried a second later
                receive_outage.failed(exc, doing="retried every second")
                await asyncio.sleep(1)


class BatchingLoopLayer(pubsub.RedisPubSubLoopLayer):
    def __init__(self, hosts=None, *args, **kwargs):
        super().__init__(hosts, *args, **kwargs)
        self._shards = [BatchingShardConnection(host, self) for host in decode_hosts(hosts)]


class RedisPubSubChannelLayer(pubsub.RedisPubSubChannelLayer):
    """channels_redis.pubsub.RedisPubSubChannelLayer with batched subscriptions and group
    messages decoded once per process; the same settings (CHANNEL_LAYERS "CONFIG")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._decoded: collections.OrderedDict = collections.OrderedDict()

    def deserialize(self, message):
        # A group message is put in the queue of each of its local sockets as one bytes
        # object: decode it once (msgpack of a whole chat event per socket was a sixth of
        # the loop's time in a 1,000-member room). The last DECODED_KEPT messages are
        # kept, not only the last one: a socket that takes several queued messages in a
        # row (TransverseConsumer._drain) interleaves with the others. Each raw object is
        # kept referenced while in the cache, so its identity is not reused.
        hit = self._decoded.get(id(message))
        if hit is not None and hit[0] is message:
            return hit[1]
        decoded = super().deserialize(message)
        self._decoded[id(message)] = (message, decoded)
        if len(self._decoded) > DECODED_KEPT:
            self._decoded.popitem(last=False)
        return decoded

    def receive_nowait(self, channel):
        """A message already waiting for channel (decoded), else None: no task and no
        wait. Under load, a consumer takes what piled up for its socket with this instead
        of a receive() task per message (realtime.consumers)."""
        layer = self._layers.get(asyncio.get_running_loop())
        queue = layer.channels.get(channel) if layer is not None else None
        if queue is None or queue.empty():
            return None
        return self.deserialize(queue.get_nowait())

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = BatchingLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            pubsub._wrap_close(self, loop)
            return layer
