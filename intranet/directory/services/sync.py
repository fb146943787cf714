"""The directory sync: read every agent (or those changed since), then write in bulk.

Two phases. The read phase streams the paged search and compares each entry with what
Transverse has, keeping only what changes; the database is not written. The write phase
is one transaction with bulk inserts and updates. So an interrupted or refused run
changes nothing, and a re-run does the same thing again (idempotent).

Safety guard: an unreachable directory, an empty answer, or a run that would switch off
more than TRANSVERSE_LDAP_MAX_DEACTIVATE_PERCENT of active agents writes nothing and
raises SyncRefused (the command exits non-zero with its message).
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone

from intranet.accounts.models import User
from intranet.departments.models import Department
from intranet.directory.config import DirectoryConfig, directory_config
from intranet.directory.connection import (
    DirectoryUnavailable,
    directory_close,
    directory_connect,
    search_entries,
)
from intranet.directory.entries import (
    DirectoryAgent,
    MalformedEntry,
    agent_from_entry,
    department_path,
    generalized_time,
    normalise_dn,
    parse_generalized_time,
    photo_bytes,
)
from intranet.directory.models import SyncRun
from intranet.directory.selectors import last_successful_run
from intranet.directory.services.agents import (
    PHOTO_FOLDER,
    agent_photo_store,
    agent_values,
    agents_deactivate,
    photo_name,
    unusable_password,
)
from intranet.directory.services.bulk import users_insert, users_set_manager, users_update
from intranet.directory.services.departments import (
    department_nodes,
    departments_ensure,
    departments_retire,
    departments_set_heads,
)
from intranet.search.services import search_index_many_later

logger = logging.getLogger(__name__)

# An entry modified while the previous run was reading may carry an older timestamp than
# the newest one that run saw: read again what changed during that run, plus a margin.
INCREMENTAL_MARGIN = timedelta(seconds=5)
STATE_FIELDS = (
    "id",
    "username",
    "first_name",
    "last_name",
    "email",
    "title",
    "phone",
    "office",
    "source",
    "directory_dn",
    "directory_fields",
    "department_id",
    "manager_id",
    "photo",
    "is_active",
    "left_at",
    "manager__directory_dn",
)
UPDATE_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "title",
    "phone",
    "office",
    "source",
    "directory_dn",
    "directory_fields",
    "department_id",
    "photo",
    "is_active",
    "left_at",
    "sort_name",
]


class SyncRefused(Exception):
    """The safety guard stopped the run before any write; the message says why."""


@dataclass
class _Read:
    """What the read phase found, kept small: unchanged agents are only counted."""

    seen: set[str] = field(default_factory=set)
    new: list[tuple[str, str, dict]] = field(default_factory=list)  # (login, leaf, values)
    changed: list[tuple[str, dict, dict]] = field(default_factory=list)  # (leaf, row, values)
    disabled_ids: list[int] = field(default_factory=list)
    # (login, normalised manager DN, manager DN as read) of agents whose manager may change
    managers: list[tuple[str, str, str]] = field(default_factory=list)
    paths: set[tuple] = field(default_factory=set)  # department paths already seen
    nodes: dict[str, tuple[str, str]] = field(default_factory=dict)
    heads: dict[str, str] = field(default_factory=dict)  # department dn -> head's DN as read
    skipped: list[tuple[str, str]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    high_water_mark: str = ""
    existing: dict[str, dict] = field(default_factory=dict)  # what Transverse had, by login
    partial: bool = False  # incremental: existing holds only the agents read


def directory_sync(
    *,
    mode: str = SyncRun.Mode.FULL,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    expected: Callable[[int], None] | None = None,
) -> SyncRun:
    """Run one sync and return its SyncRun; raise SyncRefused when the guard trips.

    force lets an operator confirm a run that deactivates more than the allowed share;
    it never overrides an unreachable or empty directory.
    """
    config = directory_config()
    previous = last_successful_run()
    if mode == SyncRun.Mode.INCREMENTAL and not (previous and previous.high_water_mark):
        mode = SyncRun.Mode.FULL  # nothing to start from
    run = SyncRun.objects.create(mode=mode)
    try:
        since = incremental_since(previous) if mode == SyncRun.Mode.INCREMENTAL else ""
        read = _read(config, since=since, progress=progress, expected=expected)
        leavers = _leavers(read, full=mode == SyncRun.Mode.FULL)
        _guard(config, read, leavers, full=mode == SyncRun.Mode.FULL, force=force)
        _write(config, read, leavers, full=mode == SyncRun.Mode.FULL)
    except (SyncRefused, DirectoryUnavailable) as exc:
        _finish(run, SyncRun.Status.REFUSED, message=str(exc))
        logger.error("directory sync refused, nothing changed: %s", exc)
        raise SyncRefused(str(exc)) from exc
    except BaseException as exc:  # interrupted (Ctrl+C) or a bug: recorded, then re-raised
        _finish(run, SyncRun.Status.FAILED, message=f"{type(exc).__name__}: {exc}")
        raise
    mark = read.high_water_mark or (previous.high_water_mark if previous else "")
    _finish(run, SyncRun.Status.SUCCEEDED, counts=read.counts, read=read, mark=mark)
    return run


def incremental_since(previous: SyncRun) -> str:
    """The modifyTimestamp an incremental run starts from (GeneralizedTime)."""
    newest = parse_generalized_time(previous.high_water_mark)
    if newest is None:
        return previous.high_water_mark
    duration = (previous.finished_at or previous.started_at) - previous.started_at
    return generalized_time(newest - duration - INCREMENTAL_MARGIN)


def _finish(run, status, *, message="", counts=None, read=None, mark=""):
    run.status = status
    run.message = message[:2000]
    run.finished_at = timezone.now()
    if counts is not None:
        run.counts = dict(counts)
    if read is not None:
        run.skipped = [{"dn": dn[:300], "reason": reason} for dn, reason in read.skipped[:1000]]
    run.high_water_mark = mark
    run.save()


def _existing(logins=None) -> dict[str, dict]:
    """What Transverse has for directory agents (only those logins when given), by login."""
    agents = User.objects.filter(source=User.Source.DIRECTORY)
    if logins is None:
        rows = agents.values(*STATE_FIELDS)
    else:
        logins = list(logins)
        rows = []
        for start in range(0, len(logins), 500):
            chunk = [Lower(Value(login)) for login in logins[start : start + 500]]
            rows += (
                agents.alias(login=Lower("username")).filter(login__in=chunk).values(*STATE_FIELDS)
            )
    return {row["username"].casefold(): row for row in rows}


def _read(config: DirectoryConfig, *, since: str, progress, expected) -> _Read:
    read = _Read()
    existing = {} if since else _existing()
    local = {
        name.casefold()
        for name in User.objects.exclude(source=User.Source.DIRECTORY).values_list(
            "username", flat=True
        )
    }
    departments = dict(
        Department.objects.exclude(directory_dn="").values_list("directory_dn", "pk")
    )
    if expected and not since:
        expected(len(existing))
    conn = directory_connect(config)
    try:
        if not config.attribute_map.get("department"):
            _read_units(config, conn, read)
        search_filter = config.sync_filter
        if since:
            search_filter = f"(&{config.sync_filter}(modifyTimestamp>={since}))"
        entries = search_entries(
            conn,
            config.user_base,
            search_filter,
            config.user_attributes(),
            page_size=config.page_size,
        )
        if since:
            # Only what changed, so few: read it all, then fetch just those agents' rows.
            entries = list(entries)
            existing = _existing(_logins(config, entries))
        for dn, raw in entries:
            read.counts["read"] += 1
            _read_entry(config, read, dn, raw, existing, local, departments)
            if progress:
                progress(1)
    finally:
        directory_close(conn)
    read.existing = existing
    read.partial = bool(since)
    return read


def _logins(config: DirectoryConfig, entries) -> set[str]:
    attribute = config.attribute_map["username"].lower()
    logins = set()
    for _dn, raw in entries:
        values = next((v for k, v in raw.items() if k.lower() == attribute), None)
        if values:
            logins.add(values[0].decode("utf-8", "replace").strip())
    return logins


def _read_units(config: DirectoryConfig, conn, read: _Read) -> None:
    """Every organisational unit under the base (so empty ones exist too), with its head."""
    head_attr = config.department_head_attribute
    units = search_entries(
        conn,
        config.user_base,
        "(objectClass=organizationalUnit)",
        [a for a in ("ou", head_attr) if a],
        page_size=config.page_size,
    )
    for dn, raw in units:
        try:
            path = department_path(dn, config.user_base)
        except MalformedEntry as exc:
            read.skipped.append((dn, str(exc)))
            continue
        if not path:
            continue  # the base itself
        for key, (name, parent) in department_nodes([path]).items():
            read.nodes.setdefault(key, (name, parent))
        head = next((v[0] for k, v in raw.items() if k.lower() == head_attr.lower() and v), None)
        try:
            read.heads[path[-1][0]] = head.decode("utf-8") if head else ""
        except UnicodeDecodeError:
            read.heads[path[-1][0]] = ""


def _read_entry(config, read: _Read, dn, raw, existing, local, departments) -> None:
    try:
        agent = agent_from_entry(config, dn, raw)
    except MalformedEntry as exc:
        read.skipped.append((dn, str(exc)))
        read.counts["skipped"] += 1
        logger.warning("directory entry skipped: %s: %s", dn, exc)
        return
    key = agent.key
    if key in read.seen:
        read.skipped.append((dn, f"the login {agent.username} is used by another entry"))
        read.counts["skipped"] += 1
        return
    if key in local:
        read.skipped.append((dn, f"the login {agent.username} belongs to a local account"))
        read.counts["skipped"] += 1
        return
    read.seen.add(key)
    read.high_water_mark = max(read.high_water_mark, agent.modified)
    if agent.department_path not in read.paths:
        read.paths.add(agent.department_path)
        for path_key, value in department_nodes([agent.department_path]).items():
            read.nodes.setdefault(path_key, value)
    row = existing.get(key)
    # Managers are resolved after the inserts; an unchanged manager DN needs nothing.
    if config.attribute_map.get("manager") and (
        row is None or (row["manager__directory_dn"] or "") != agent.manager_raw
    ):
        read.managers.append((key, agent.manager_dn, agent.manager_raw))
    if row is None:
        if agent.disabled:
            read.counts["ignored_disabled"] += 1
            return
        values = agent_values(config, agent, None)
        values["photo"] = _photo(config, agent, raw, "")
        read.new.append((agent.key, _leaf(agent), values))
        return
    if agent.disabled:
        if row["is_active"]:
            read.disabled_ids.append(row["id"])
        else:
            read.counts["unchanged"] += 1
        return
    leaf = _leaf(agent)
    values = agent_values(config, agent, departments.get(leaf))
    values["photo"] = _photo(config, agent, raw, row["photo"])
    if not row["is_active"] and row["left_at"] is not None:
        values.update(is_active=True, left_at=None)
    unresolved = bool(leaf) and leaf not in departments
    if unresolved or any(row[name] != value for name, value in values.items()):
        read.changed.append((leaf, row, values))
    else:
        read.counts["unchanged"] += 1


def _photo(config, agent: DirectoryAgent, raw, current: str) -> str:
    """The photo file name the agent should have (stored now if it is new)."""
    if agent.photo_hash:
        if current == photo_name(agent.photo_hash):
            return current
        return agent_photo_store(photo_bytes(config, raw), agent.photo_hash) or current
    # The directory dropped its photo: drop ours too, but keep one the agent uploaded.
    return "" if current.startswith(PHOTO_FOLDER + "/") else current


def _leavers(read: _Read, *, full: bool) -> list[int]:
    leavers = list(read.disabled_ids)
    if full:
        leavers += [
            row["id"]
            for key, row in read.existing.items()
            if row["is_active"] and key not in read.seen
        ]
    return leavers


def _guard(config, read: _Read, leavers, *, full: bool, force: bool) -> None:
    if full and not read.seen:
        raise SyncRefused(
            f"the directory returned no usable agent under {config.user_base!r} with "
            f"{config.sync_filter}: check TRANSVERSE_LDAP_USER_BASE and the filter."
        )
    active = sum(1 for row in read.existing.values() if row["is_active"])
    allowed = max(1, int(active * config.max_deactivate_share))
    if len(leavers) > allowed and not force:
        raise SyncRefused(
            f"this run would deactivate {len(leavers)} of {active} active agents, more than "
            f"the {config.max_deactivate_share:.0%} allowed "
            "(TRANSVERSE_LDAP_MAX_DEACTIVATE_PERCENT). Check the directory settings; if the "
            "departures are real, run `manage.py sync_directory --force`."
        )


@transaction.atomic
def _write(config, read: _Read, leavers, *, full: bool) -> None:
    department_ids = departments_ensure(read.nodes) if read.nodes else {}
    now = timezone.now()
    created = []
    for _key, leaf, values in read.new:
        values["department_id"] = department_ids.get(leaf) if leaf else None
        values.update(password=unusable_password(), is_active=True)  # date_joined: default
        values["sort_name"] = _sort_name(values)
        created.append(values)
    read.counts["created"] += users_insert(created)
    updated = []
    for leaf, row, values in read.changed:
        if leaf:
            values["department_id"] = department_ids.get(leaf)
        if values.get("is_active") and not row["is_active"]:
            read.counts["reactivated"] += 1
        elif values.get("department_id", row["department_id"]) != row["department_id"]:
            read.counts["moved"] += 1
        else:
            read.counts["updated"] += 1
        merged = {**row, **values}
        merged["sort_name"] = _sort_name(merged)
        updated.append(merged)
    users_update(updated, UPDATE_FIELDS)
    state = _directory_agents(read)
    search_index_many_later(
        "agent", [state.ids[key] for key, _l, _v in read.new] + [row["id"] for row in updated]
    )
    _write_managers(read, state)
    if config.department_head_attribute and read.heads:
        _write_heads(read, department_ids, state)
    read.counts["deactivated"] += agents_deactivate(leavers, when=now)
    if full and read.nodes:
        read.counts["departments_retired"] += departments_retire(read.nodes)


def _sort_name(values: dict) -> str:
    # The model's own formula, without building a model instance per agent.
    return User.compute_sort_name(SimpleNamespace(**values))


def _leaf(agent: DirectoryAgent) -> str:
    """The key of the agent's own department ("" when none)."""
    return agent.department_path[-1][0] if agent.department_path else ""


@dataclass
class _Agents:
    """Directory agents after the inserts: id by login, manager by id, id by DN."""

    ids: dict[str, int]
    managers: dict[int, int | None]
    by_dn: dict[str, int]


def _directory_agents(read: _Read, *, everyone: bool = False) -> _Agents:
    """The agents the write phase needs: new ones, changed ones, managers and heads.

    Managers and heads are found by their exact DN; if one is spelled differently from the
    entry's own DN (case, spaces), every agent's DN is compared instead (everyone=True).
    """
    state = _Agents({}, {}, {})
    agents = User.objects.filter(source=User.Source.DIRECTORY)
    wanted = {raw for _key, _dn, raw in read.managers if raw} | {
        dn for dn in read.heads.values() if dn
    }
    if everyone:
        rows = agents.values_list(*_AGENT_COLUMNS)
    else:
        logins = {key for key, _leaf, _values in read.new}
        logins |= {row["username"] for _leaf, row, _values in read.changed}
        logins |= {key for key, _dn, _raw in read.managers}
        if len(logins) > TARGETED_LIMIT:
            return _directory_agents(read, everyone=True)  # one scan beats many lookups
        logins, dns, rows = list(logins), list(wanted), []
        for start in range(0, len(logins), 500):
            chunk = [Lower(Value(login)) for login in logins[start : start + 500]]
            rows += (
                agents.alias(login=Lower("username"))
                .filter(login__in=chunk)
                .values_list(*_AGENT_COLUMNS)
            )
        for start in range(0, len(dns), 500):
            rows += agents.filter(directory_dn__in=dns[start : start + 500]).values_list(
                *_AGENT_COLUMNS
            )
    for pk, username, manager_id, dn, active in rows:
        state.ids[username.casefold()] = pk
        state.managers[pk] = manager_id
        if active and dn:
            state.by_dn[normalise_dn(dn)] = pk
    if not everyone and any(normalise_dn(dn) not in state.by_dn for dn in wanted):
        return _directory_agents(read, everyone=True)
    return state


# Past this many agents to look up one by one, reading them all is faster.
TARGETED_LIMIT = 5000
_AGENT_COLUMNS = ("pk", "username", "manager_id", "directory_dn", "is_active")


def _write_managers(read: _Read, state: _Agents) -> None:
    changed = []
    for key, manager_dn, _raw in read.managers:
        pk = state.ids.get(key)
        if pk is None:
            continue
        manager_id = state.by_dn.get(manager_dn) if manager_dn else None
        if manager_id == pk:
            manager_id = None  # nobody is their own manager
        if state.managers[pk] != manager_id:
            changed.append((pk, manager_id))
    read.counts["managers_changed"] += users_set_manager(changed)


def _write_heads(read: _Read, department_ids, state: _Agents) -> None:
    heads = {
        dn: state.by_dn.get(normalise_dn(head)) if head else None for dn, head in read.heads.items()
    }
    read.counts["heads_changed"] += departments_set_heads(
        {dn: head for dn, head in heads.items() if dn in department_ids}
    )
