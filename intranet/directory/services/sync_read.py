"""The read phase of the directory sync: stream the directory, keep only what changes.

Nothing is written to the database here (photos aside, stored under their hash): the
result, a SyncRead, says what the write phase must create, update and resolve.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Value
from django.db.models.functions import Lower

from intranet.accounts.models import DIRECTORY_TEXT_FIELDS, User
from intranet.departments.models import Department
from intranet.directory.config import DirectoryConfig
from intranet.directory.connection import directory_close, directory_connect, search_entries
from intranet.directory.entries import (
    DirectoryAgent,
    MalformedEntry,
    agent_from_entry,
    department_path,
    photo_bytes,
)
from intranet.directory.services.agents import (
    PHOTO_FOLDER,
    agent_photo_store,
    agent_values,
    photo_name,
)
from intranet.directory.services.departments import department_nodes

logger = logging.getLogger(__name__)

STATE_FIELDS = (
    "id",
    "username",
    *DIRECTORY_TEXT_FIELDS,
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


@dataclass
class SyncRead:
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


def sync_read(config: DirectoryConfig, *, since: str, progress, expected) -> SyncRead:
    read = SyncRead()
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


def _read_units(config: DirectoryConfig, conn, read: SyncRead) -> None:
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


def _read_entry(config, read: SyncRead, dn, raw, existing, local, departments) -> None:
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


def _leaf(agent: DirectoryAgent) -> str:
    """The key of the agent's own department ("" when none)."""
    return agent.department_path[-1][0] if agent.department_path else ""
