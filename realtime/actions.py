"""The table of WebSocket actions: each validates its frame and calls an app's service
(chat, presence).

Actions are synchronous (the consumer runs them in a database thread). Each one starts
from a fresh copy of the agent read from the database, so a deactivation or a membership
change made since the socket opened is seen at once. Services authorise; this module only
translates frames into service calls and results into frames.
"""

import contextlib
import time
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.accounts.models import User
from intranet.accounts.second_factor import session_expired
from intranet.accounts.sessions import DATABASE_SESSIONS, session_agent
from intranet.chat import access, selectors, services
from intranet.core import metrics
from intranet.notifications.selectors import unread_count as notifications_unread
from intranet.presence import selectors as presence_selectors
from intranet.presence import services as presence_services
from realtime import publish, sockets

MAX_CURSORS = 500
MAX_WATCHED = 200


class ActionError(Exception):
    """An error frame: a stable code for programs and a sentence for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def fresh_agent(agent_id: int) -> User:
    agent = User.objects.select_related("department").filter(pk=agent_id, is_active=True).first()
    if agent is None:
        raise ActionError("unauthorized", _("Your session has ended; sign in again."))
    return agent


AGENT_CACHE_SECONDS = 60.0
AGENT_CACHE_SIZE = 10_000
_agents: dict[int, tuple[float, User]] = {}


def cached_agent(agent_id: int) -> User:
    """The agent for the send path, kept a minute per process (shared by their sockets).

    Only for services that re-check the agent inside the database (message_send's
    UPDATE requires an active account and a current membership): a stale copy can only
    show a display name changed in the last minute.
    """
    now = time.monotonic()
    hit = _agents.get(agent_id)
    if hit is not None and now - hit[0] < AGENT_CACHE_SECONDS:
        return hit[1]
    agent = fresh_agent(agent_id)
    if len(_agents) >= AGENT_CACHE_SIZE:
        _agents.clear()
    _agents[agent_id] = (now, agent)
    return agent


def _field(data: dict, name: str, kind=int):
    value = data.get(name)
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ActionError(
            "bad_request", _("The field “%(name)s” is missing or invalid.") % {"name": name}
        )
    return value


def translate_errors(function):
    """Run a command, turning the services' exceptions into ActionError."""

    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except Http404:
            raise ActionError(
                "not_found", _("This conversation or message does not exist.")
            ) from None
        except PermissionDenied:
            raise ActionError("forbidden", _("You are not allowed to do this.")) from None
        except ValidationError as exc:
            code = exc.code or "invalid"
            raise ActionError(code, " ".join(exc.messages)) from None
        except DatabaseError:
            raise ActionError(
                "unavailable", _("The service is temporarily unavailable; try again.")
            ) from None

    return run


# --- Connection -------------------------------------------------------------------------


@translate_errors
def connect(session_key: str | None, channel_name: str) -> dict | None:
    """Everything a new socket needs, in one database round of a few statements: its
    agent (from the session, checked as for a page), what to subscribe to, and its
    agent's presence. None when the session has no signed-in active agent.

    The returned "pending" are the presence events to publish, which the consumer sends
    from its loop once it has joined its groups (the database thread is not held).
    """
    with publish.collected() as pending:
        agent = session_agent(session_key)
        if agent is None:
            return None
        conversations, groups = sockets.socket_open(agent, channel_name)
    return {
        "agent": agent.pk,
        "conversations": conversations,
        "groups": groups,
        "pending": pending,
        "time_zone": agent.time_zone,  # the socket shows message times in it
    }


@translate_errors
def subscriptions(agent_id: int) -> dict | None:
    agent = User.objects.filter(pk=agent_id, is_active=True).first()
    if agent is None:
        return None
    services.group_rooms_ensure(agent)
    conversations, groups = selectors.subscription_targets(agent)
    return {"conversations": conversations, "groups": groups}


def disconnect(agent_id: int, channel_name: str) -> list:
    """Forget the socket's presence; the events to publish (sent by the consumer)."""
    # If the database is unreachable, the row expires by itself (PRESENCE_TIMEOUT).
    with publish.collected() as pending, contextlib.suppress(DatabaseError):
        presence_services.presence_disconnect(agent_id, channel_name)
    return pending


def heartbeat(channel_names: list[str]) -> int:
    """Refresh the presence rows of this process's live sockets (realtime.heartbeat)."""
    return presence_services.presence_heartbeat(channel_names)


def active_agents(agent_ids) -> set[int]:
    """Which of these agents are active (realtime.heartbeat closes the others' sockets)."""
    ids, active = list(agent_ids), set()
    for start in range(0, len(ids), 500):
        batch = User.objects.filter(pk__in=ids[start : start + 500], is_active=True)
        active.update(batch.values_list("pk", flat=True))
    return active


def ended_sessions(session_keys) -> set[str]:
    """Which of these sessions sign no one in any more (realtime.heartbeat closes their
    sockets, 4401): signed out or deleted, expired in the session store, or past the
    site's lifetimes (accounts.second_factor.session_expired, as for a page).

    Database sessions: one query per 500 keys. Other engines load each session; signed
    cookies cannot be signed out on the server, only their lifetimes are checked. The
    agent is not read again: active_agents closes the sockets of the agents switched off.
    """
    keys, now, found = sorted({key for key in session_keys if key}), int(time.time()), {}
    if settings.SESSION_ENGINE == DATABASE_SESSIONS:
        decode, expiry = DatabaseSessionStore().decode, timezone.now()
        for start in range(0, len(keys), 500):
            rows = Session.objects.filter(
                session_key__in=keys[start : start + 500], expire_date__gt=expiry
            ).values_list("session_key", "session_data")
            found.update((key, decode(data)) for key, data in rows)
    else:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        found = {key: store(key).load() for key in keys}
    return {
        key
        for key in keys
        if SESSION_KEY not in found.get(key, {}) or session_expired(found[key], now)
    }


@translate_errors
def counts(agent_id: int, data: dict | None = None) -> dict:
    agent = fresh_agent(agent_id)
    return {
        "type": "counts",
        "chat_unread": selectors.unread_total(agent),
        "notifications_unread": notifications_unread(agent),
    }


# --- Actions ----------------------------------------------------------------------------


@translate_errors
def sync(agent_id: int, data: dict) -> list[dict]:
    """Replay, per conversation, what changed after the client's cursor; then counts."""
    agent = fresh_agent(agent_id)
    cursors = data.get("cursors") or {}
    if not isinstance(cursors, dict) or len(cursors) > MAX_CURSORS:
        raise ActionError("bad_request", _("“cursors” must map conversation ids to numbers."))
    frames = []
    for raw_id, raw_cursor in cursors.items():
        if not isinstance(raw_cursor, int) or isinstance(raw_cursor, bool) or raw_cursor < 0:
            raise ActionError("bad_request", _("“cursors” must map conversation ids to numbers."))
        try:
            conversation = access.access_conversation(agent, raw_id)
        except Http404:
            frames.append({"type": "conversation.removed", "conversation": str(raw_id)[:20]})
            continue
        last_rev = conversation.last_rev
        messages, truncated = selectors.messages_since(conversation, raw_cursor)
        newest = messages[-1].rev if messages else raw_cursor
        metrics.chat_replay_observe(len(messages))
        frames.append(
            {
                "type": "replay",
                "conversation": conversation.pk,
                "messages": selectors.message_payloads(messages),
                "cursor": newest if truncated else max(newest, last_rev, raw_cursor),
                "truncated": truncated,
            }
        )
    frames.append({**counts(agent_id), "type": "sync.done"})
    return frames


@translate_errors
def send(agent_id: int, data: dict) -> tuple[dict, list]:
    """The ack frame and the events to publish, which the consumer sends from its loop."""
    agent = cached_agent(agent_id)  # message_send re-checks the agent in SQL
    with publish.collected() as pending:
        message, created = services.message_send(
            agent,
            _field(data, "conversation"),
            body=_field(data, "body", str),
            idempotency_key=_field(data, "key", str),
            parent_id=data.get("parent") if isinstance(data.get("parent"), int) else None,
        )
    payload = getattr(message, "payload", None) or selectors.message_payloads([message])[0]
    ack = {
        "type": "ack",
        "message": payload,
        "created": created,
        "live": message.broadcast is not False,
    }
    return ack, pending


@translate_errors
def edit(agent_id: int, data: dict) -> dict:
    message = services.message_edit(
        fresh_agent(agent_id), _field(data, "message"), body=_field(data, "body", str)
    )
    return {"type": "ack", "message": selectors.message_payloads([message])[0]}


@translate_errors
def delete(agent_id: int, data: dict) -> dict:
    message = services.message_delete(fresh_agent(agent_id), _field(data, "message"))
    return {"type": "ack", "message": selectors.message_payloads([message])[0]}


@translate_errors
def react(agent_id: int, data: dict) -> dict:
    message = services.reaction_toggle(
        fresh_agent(agent_id), _field(data, "message"), kind=_field(data, "reaction", str)
    )
    return {"type": "ack", "message": selectors.message_payloads([message])[0]}


@translate_errors
def history(agent_id: int, data: dict) -> dict:
    agent = fresh_agent(agent_id)
    conversation = access.access_conversation(agent, _field(data, "conversation"))
    before = data.get("before")
    if before is not None and (not isinstance(before, int) or isinstance(before, bool)):
        raise ActionError(
            "bad_request", _("The field “%(name)s” is missing or invalid.") % {"name": "before"}
        )
    page = selectors.message_page(conversation, before_seq=before)
    return {
        "type": "history",
        "conversation": conversation.pk,
        "messages": selectors.message_payloads(page),
        "has_more": bool(page) and page[0].seq > 1,
    }


@translate_errors
def read(agent_id: int, data: dict) -> dict:
    seq = services.conversation_mark_read(
        fresh_agent(agent_id), _field(data, "conversation"), seq=_field(data, "seq")
    )
    return {"type": "ack", "conversation": data["conversation"], "seq": seq}


@translate_errors
def typing(agent_id: int, data: dict) -> None:
    services.typing_announce(fresh_agent(agent_id), _field(data, "conversation"))


@translate_errors
def presence(agent_id: int, data: dict, channel_name: str) -> dict:
    away = data.get("away")
    state = presence_services.presence_update(
        fresh_agent(agent_id), channel_name, away=away if isinstance(away, bool) else None
    )
    return {"type": "ack", "state": state}


@translate_errors
def watch(agent_id: int, data: dict) -> tuple[list[int], dict]:
    """Presence of agents shown on the page: (ids to watch, the current states)."""
    fresh_agent(agent_id)
    ids = data.get("agents")
    if not isinstance(ids, list) or len(ids) > MAX_WATCHED:
        raise ActionError("bad_request", _("“agents” must be a list of at most 200 ids."))
    ids = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    states = presence_selectors.presence_states(ids)
    return ids, {"type": "presence.states", "states": {str(k): v for k, v in states.items()}}


# Actions answered by a database command: name → function(agent_id, data).
ACTIONS = {
    "sync": sync,
    "send": send,
    "edit": edit,
    "delete": delete,
    "react": react,
    "history": history,
    "read": read,
    "typing": typing,
    "counts": counts,
}


# --- Time zone ----------------------------------------------------------------------------


def socket_zone(name: str | None):
    """The ZoneInfo a socket shows times in: its agent's, the site's when unknown."""
    from types import SimpleNamespace

    from intranet.accounts.models import agent_zone

    return agent_zone(SimpleNamespace(time_zone=name or ""))


def localised(content, zone):
    """content with every message's "time" and "day" written in zone (an agent's own time
    zone). Payloads are built once for every reader (chat.selectors.message_payload) in
    the site's zone; each socket rewrites them for its agent. Returns content itself when
    nothing changes, so the common case copies nothing."""
    if isinstance(content, list):
        items = [localised(item, zone) for item in content]
        return content if all(a is b for a, b in zip(items, content, strict=True)) else items
    if not isinstance(content, dict):
        return content
    changed = {}
    for key, value in content.items():
        if isinstance(value, dict | list):
            new = localised(value, zone)
            if new is not value:
                changed[key] = new
    created = content.get("created_at")
    if isinstance(created, str) and "time" in content and "day" in content:
        try:
            at = datetime.fromisoformat(created).astimezone(zone)
        except ValueError:
            at = None
        if at is not None:
            time_text, day = at.strftime("%H:%M"), at.date().isoformat()
            if (time_text, day) != (content["time"], content["day"]):
                changed.update(time=time_text, day=day)
    return {**content, **changed} if changed else content
