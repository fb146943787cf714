"""The one WebSocket consumer: one socket per tab, for chat and every live update.

Thin by design: it authenticates (session), keeps the socket's subscriptions, dispatches
actions to realtime.actions (which call the chat services, where authorisation lives)
and relays events from the channel layer, dropping those whose audience excludes its
agent. Bad input gets an error frame or a close code; an exception never escapes.
The protocol is described in docs/realtime.md.
"""

import asyncio
import bisect
import functools
import json
import logging
import secrets
import time

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings

from intranet.core import metrics
from realtime import actions, active, heartbeat, publish, relay
from realtime.threads import in_db_thread

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORIZED = 4401  # not signed in, signed out or expired: do not retry, reload the page
CLOSE_FORBIDDEN = 4403  # deactivated: do not retry
# A frame larger than TRANSVERSE_WS_MAX_FRAME_BYTES. Not 1009 ("message too big"), valid
# on the wire but reserved to the protocol: autobahn (under daphne) lets an application
# close with 1000 or 3000-4999 only, raised on 1009, and the client got 1011 instead.
CLOSE_TOO_LARGE = 4413  # as HTTP's 413 Content Too Large
ECHO_TIMEOUT = 3.0
DRAIN_MAX = 32  # channel-layer messages taken at once (TransverseConsumer._drain)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class TransverseConsumer(AsyncWebsocketConsumer):
    groups = []  # joined by hand: failures of the layer must not refuse the socket

    async def connect(self):
        # Accepted first, checked next: the handshake never waits for the database (a
        # restarted server gets every socket back at once), and until the session is
        # checked below the socket sends nothing and ignores frames (`receive`).
        await self.accept()
        try:
            found = await in_db_thread(actions.connect)(
                self.scope.get("session_key"), self.channel_name
            )
        except actions.ActionError as exc:
            await self.send_json({"type": "error", "code": exc.code, "message": exc.message})
            await self.close(code=1011)
            return
        if found is None:  # not signed in, signed out, expired, or deactivated
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        self.conversations, self.groups_joined, self.watched = set(), set(), set()
        self.bucket, self.bucket_at = float(_setting("TRANSVERSE_WS_BURST", 40)), time.monotonic()
        self.echo_token, self.echo_timer = None, None
        self.agent_id = found["agent"]
        self.zone = actions.socket_zone(found.get("time_zone"))
        metrics.WEBSOCKETS_OPEN.inc()
        heartbeat.track(self.channel_name, self)  # its presence row is refreshed from now on
        relay.start()  # embedded mode: what other processes publish reaches this one
        live = await self._apply_targets(found, also=self._static_groups())
        if found["pending"]:  # presence: after our own groups, so our other tabs see it
            await publish.send_collected(found["pending"])
        await self.send_json({"type": "hello", "agent": self.agent_id, "live": live})

    async def disconnect(self, code):
        if not hasattr(self, "agent_id"):
            return
        if self.echo_timer:
            self.echo_timer.cancel()
        names = list(self._all_groups())  # left at once: one UNSUBSCRIBE for them all
        await self._groups("group_discard", names)
        pending = await in_db_thread(actions.disconnect)(self.agent_id, self.channel_name)
        if pending:
            await publish.send_collected(pending)

    async def _drain(self, waiting) -> None:
        """Dispatch the channel-layer messages already queued for this socket (at most
        DRAIN_MAX, so the browser's frames do not wait long): under load a message to a
        room reaches each member's queue faster than its task takes it, and a task per
        message cost more than relaying it."""
        for _ in range(DRAIN_MAX):
            message = waiting(self.channel_name)
            if message is None:
                return
            await self.dispatch(message)

    async def dispatch(self, message):
        """Channels' dispatch without its `aclose_old_connections()` before each handler.

        That call hops to Django's single sync thread for every frame and every event
        relayed (a 1,000-member room: 1,000 hops in one thread per message), to close the
        stale connections of a thread this consumer never queries from: every database
        command here runs through `in_db_thread`, whose thread closes stale connections
        before and after each command (channels.db.DatabaseSyncToAsync).
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- Frames from the browser --------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if not hasattr(self, "agent_id"):
            return
        if bytes_data is not None:
            return await self._error(None, "bad_request", "Binary frames are not accepted.")
        if len(text_data) > _setting("TRANSVERSE_WS_MAX_FRAME_BYTES", 65_536):
            await self._error(None, "too_large", "The frame is too large.")
            return await self.close(code=CLOSE_TOO_LARGE)
        try:
            data = json.loads(text_data)
        except ValueError:
            return await self._error(None, "bad_json", "The frame is not valid JSON.")
        if not isinstance(data, dict) or not isinstance(data.get("action"), str):
            return await self._error(None, "bad_request", "A frame is an object with an action.")
        ref = data.get("ref") if isinstance(data.get("ref"), str | int) else None
        if not self._take_token():
            return await self._error(ref, "rate_limited", "Too many frames; slow down.")
        try:
            await self._dispatch(data["action"], data, ref)
        except actions.ActionError as exc:
            await self._error(ref, exc.code, exc.message)
        except Exception:  # never let one frame kill the socket
            logger.exception("WebSocket action %r failed", data.get("action"))
            await self._error(ref, "internal", "The action failed; try again.")

    async def _dispatch(self, action: str, data: dict, ref) -> None:
        if action == "ping":
            return await self._ping(ref)
        if action == "watch":
            ids, frame = await in_db_thread(actions.watch)(self.agent_id, data)
            await self._set_watched(set(ids))
            return await self.send_json({**frame, "ref": ref})
        if action == "presence":
            call = in_db_thread(actions.presence)
            return await self.send_json(
                {**await call(self.agent_id, data, self.channel_name), "ref": ref}
            )
        if action == "send":  # the hot path: the service re-checks the agent in SQL
            result, pending = await in_db_thread(actions.send)(self.agent_id, data)
            sent = await publish.send_collected(pending, origin=self.channel_name)
            if pending and not sent:
                result["live"] = False
            return await self.send_json({**result, "ref": ref})
        command = actions.ACTIONS.get(action)
        if command is None:
            return await self._error(ref, "unknown_action", f"Unknown action: {action[:40]}")
        result = await in_db_thread(command)(self.agent_id, data)
        for frame in result if isinstance(result, list) else [result]:
            if frame is not None:
                await self.send_json({**frame, "ref": ref})

    def _take_token(self) -> bool:
        """A token bucket per socket: TRANSVERSE_WS_RATE frames a second, bursts allowed."""
        now = time.monotonic()
        rate, burst = _setting("TRANSVERSE_WS_RATE", 20), _setting("TRANSVERSE_WS_BURST", 40)
        self.bucket = min(burst, self.bucket + (now - self.bucket_at) * rate)
        self.bucket_at = now
        if self.bucket < 1:
            return False
        self.bucket -= 1
        return True

    # --- Events from the channel layer --------------------------------------------------

    async def relay(self, message):
        if message.get("origin") == self.channel_name:
            return  # the socket that sent it has the message in its ack
        event = message["event"]
        audience = message.get("audience")
        if audience is not None:
            # The audience was read from the database when the change was committed.
            at = bisect.bisect_left(audience, self.agent_id)
            if at == len(audience) or audience[at] != self.agent_id:
                return
        conversation = event.get("conversation") or (event.get("message") or {}).get("conversation")
        if conversation is not None and conversation not in self.conversations:
            return  # unsubscribed since (left, removed): drop what was in flight
        if message.get("active_only") and not await active.is_active(self.agent_id):
            return  # deactivated while the event was on its way; the close follows
        # Encoded once for every socket of the process in one time zone (the layer hands
        # them one dict); message times are written in each socket's agent's zone.
        key = f"_encoded:{self.zone.key}"
        text = message.get(key)
        if text is None:
            text = message[key] = json.dumps(
                actions.localised(event, self.zone), separators=(",", ":")
            )
        await self.send(text_data=text)
        if "message" in event:  # message.created, .edited, .deleted, reactions
            metrics.CHAT_DELIVERIES.inc()

    async def subscriptions_refresh(self, message):
        targets = await in_db_thread(actions.subscriptions)(self.agent_id)
        if targets is None:
            return await self.close(code=CLOSE_FORBIDDEN)
        await self._apply_targets(targets, announce=True)

    async def counts_refresh(self, message):
        await self.send_json(await in_db_thread(actions.counts)(self.agent_id))

    async def socket_close(self, message):
        await self.close(code=message.get("code", CLOSE_UNAUTHORIZED))

    async def layer_echo(self, message):
        if message.get("token") == self.echo_token and self.echo_timer:
            self.echo_timer.cancel()
            self.echo_timer, self.echo_token = None, None
            await self.send_json({"type": "pong", "live": True, "ref": message.get("ref")})

    # --- Helpers ------------------------------------------------------------------------

    async def _ping(self, ref) -> None:
        """Answer with `live`: whether a message sent through the channel layer comes back."""
        if self.echo_timer:
            return
        self.echo_token = secrets.token_hex(8)
        sent = await self._layer(
            "send", self.channel_name, {"type": "layer.echo", "token": self.echo_token, "ref": ref}
        )
        if not sent:
            self.echo_token = None
            return await self.send_json({"type": "pong", "live": False, "ref": ref})
        self.echo_timer = asyncio.get_running_loop().call_later(
            ECHO_TIMEOUT, lambda: asyncio.ensure_future(self._echo_missing(ref))
        )

    async def _echo_missing(self, ref) -> None:
        self.echo_timer, self.echo_token = None, None
        await self.send_json({"type": "pong", "live": False, "ref": ref})

    def _static_groups(self) -> list[str]:
        """The groups of the socket's agent and session (closed on sign-out)."""
        names = [publish.agent_group(self.agent_id), publish.ORGANISATION_GROUP]
        names.append(publish.session_group(self.scope.get("session_key")))
        return names

    async def _join(self, names) -> bool:
        """Join groups at once (the layer subscribes to them in one command)."""
        return await self._groups("group_add", names)

    async def _apply_targets(self, targets: dict, *, announce: bool = False, also=()) -> bool:
        """Follow the conversations and groups the agent may read now (and join `also`):
        every group joined in one round, every group left in another."""
        wanted_conv, wanted_groups = targets["conversations"], targets["groups"]
        joined_groups = {int(n.split(".")[1]) for n in self.groups_joined if n.startswith("group.")}
        new_conv, gone_conv = wanted_conv - self.conversations, self.conversations - wanted_conv
        new_groups = [*also, *(publish.group_group(pk) for pk in wanted_groups - joined_groups)]
        gone_groups = [publish.group_group(pk) for pk in joined_groups - wanted_groups]
        ok = await self._join([*(publish.conversation_group(pk) for pk in new_conv), *new_groups])
        self.groups_joined.update(new_groups)
        await self._groups(
            "group_discard", [*(publish.conversation_group(pk) for pk in gone_conv), *gone_groups]
        )
        self.groups_joined.difference_update(gone_groups)
        self.conversations = set(wanted_conv)
        if announce:
            for pk in new_conv:
                await self.send_json({"type": "conversation.added", "conversation": pk})
            for pk in gone_conv:
                await self.send_json({"type": "conversation.removed", "conversation": pk})
        return ok

    async def _set_watched(self, ids: set[int]) -> None:
        await self._join([publish.presence_group(pk) for pk in ids - self.watched])
        await self._groups(
            "group_discard", [publish.presence_group(pk) for pk in self.watched - ids]
        )
        self.watched = ids

    def _all_groups(self):
        yield from self.groups_joined
        for pk in self.conversations:
            yield publish.conversation_group(pk)
        for pk in self.watched:
            yield publish.presence_group(pk)

    async def _groups(self, method: str, names) -> bool:
        """group_add or group_discard for several groups under one time-out (a socket
        joins five or more at once: one wait_for each was a task and a timer each, on
        the loop that a reconnect storm keeps busy); False (logged) on failure."""
        if not names:
            return True
        call = getattr(self.channel_layer, method)
        try:
            await asyncio.wait_for(
                asyncio.gather(*(call(name, self.channel_name) for name in names)), 2.0
            )
        except Exception as exc:
            publish.layer_outage.failed(exc, doing=method)
            return False
        publish.layer_outage.ok()
        return True

    async def _layer(self, method: str, *args) -> bool:
        """Call the channel layer; False (logged) when it is unreachable."""
        try:
            await asyncio.wait_for(getattr(self.channel_layer, method)(*args), 2.0)
        except Exception as exc:
            publish.layer_outage.failed(exc, doing=method)
            return False
        publish.layer_outage.ok()
        return True

    async def _error(self, ref, code: str, text: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": text, "ref": ref})

    async def send_json(self, content) -> None:
        zone = getattr(self, "zone", None)
        if zone is not None:  # acks, history, sync: message times in the agent's zone
            content = actions.localised(content, zone)
        await self.send(text_data=json.dumps(content, separators=(",", ":")))

    async def send(self, text_data=None, bytes_data=None, close=False):
        """Channels' send, for a socket that may be closing: the client's close frame
        arrives before the disconnect event, and a frame sent in between (an event
        relayed, a hello after a slow connect) made daphne's protocol raise. That
        exception ended the consumer without its `disconnect`: the socket's presence
        row stayed and the heartbeat kept it "online". The frame is dropped instead;
        the disconnect event follows."""
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except Disconnected:
            logger.debug("frame dropped: the socket is closing")

    async def __call__(self, scope, receive, send):
        """Channels' AsyncConsumer.__call__ and await_many_dispatch, in one frame.

        The same work (the socket's channel, then each message from the browser or the
        channel layer dispatched in turn, as each arrives), without the frames of
        await_many_dispatch and asyncio.wait nor a waiter future per round, which every
        idle socket kept (bench/realtime, figure (a)): one future is woken by either
        source. Whatever ends the consumer, its socket is no longer kept "online".
        """
        self.scope, self.base_send = scope, send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        loop = asyncio.get_running_loop()
        woken = loop.create_future()

        def wake(_task):
            if not woken.done():
                woken.set_result(None)

        def listen(source):
            task = asyncio.ensure_future(source())
            task.add_done_callback(wake)
            return task

        tasks = [listen(source) for source in sources]
        waiting = getattr(self.channel_layer, "receive_nowait", None)
        try:
            while True:
                await woken
                woken = loop.create_future()
                for index, task in enumerate(tasks):
                    if task.done():
                        await self.dispatch(task.result())
                        if index == 1 and waiting is not None:
                            await self._drain(waiting)
                        tasks[index] = listen(sources[index])
        except StopConsumer:
            pass
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if getattr(self, "channel_name", None):
                heartbeat.untrack(self.channel_name)
            if hasattr(self, "agent_id"):
                metrics.WEBSOCKETS_OPEN.dec()
