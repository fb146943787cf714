"""The write phase of the directory sync: one transaction, bulk inserts and updates."""

from dataclasses import dataclass
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone

from intranet.accounts.models import DIRECTORY_TEXT_FIELDS, User
from intranet.departments.models import Department
from intranet.directory.entries import normalise_dn
from intranet.directory.services.agents import agents_deactivate, unusable_password
from intranet.directory.services.bulk import (
    users_insert,
    users_reserve_ids,
    users_set_manager,
    users_update,
)
from intranet.directory.services.departments import (
    departments_ensure,
    departments_retire,
    departments_set_heads,
)
from intranet.directory.services.sync_read import SyncRead
from intranet.groups.services import department_groups_sync
from intranet.search.services import search_index_many_later

UPDATE_FIELDS = [
    "username",
    *DIRECTORY_TEXT_FIELDS,
    "source",
    "directory_dn",
    "directory_fields",
    "department_id",
    "photo",
    "is_active",
    "left_at",
    "sort_name",
]


@transaction.atomic
def sync_write(config, read: SyncRead, leavers, *, full: bool) -> None:
    department_ids = departments_ensure(read.nodes) if read.nodes else {}
    now = timezone.now()
    created = []
    for _key, leaf, values in read.new:
        values["department_id"] = department_ids.get(leaf) if leaf else None
        values.update(password=unusable_password(), is_active=True)  # date_joined: default
        values["sort_name"] = _sort_name(values)
        created.append(values)
    _link_newcomers(read, created)
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
    new_ids = [values.get("id") or state.ids[key] for key, _l, values in read.new]
    search_index_many_later("agent", new_ids + [row["id"] for row in updated])
    _write_managers(read, state)
    if config.department_head_attribute and read.heads:
        _write_heads(read, department_ids, state)
    read.counts["deactivated"] += agents_deactivate(leavers, when=now)
    if full and read.nodes:
        read.counts["departments_retired"] += departments_retire(read.nodes)
    # Each department has its closed group, whose members are its active agents: resync
    # the groups of departments agents arrived in or left, and create missing ones.
    touched = {values.get("department_id") for values in created}
    for _leaf, row, _values in read.changed:
        touched |= {row["department_id"]}
    touched |= {merged.get("department_id") for merged in updated}
    touched |= set(
        Department.objects.filter(
            pk__in=list(department_ids.values()), group__isnull=True
        ).values_list("pk", flat=True)
    )
    department_groups_sync(touched - {None})


def _link_newcomers(read: SyncRead, created: list[dict]) -> None:
    """Give new agents their ids now, and their manager when the manager is new too.

    On a first sync everyone is new: the rows go in already linked, instead of a second
    pass updating every agent. Managers who existed before are set by _write_managers.
    """
    ids = users_reserve_ids(len(created))
    if not ids:
        return
    new_by_dn = {}
    for values, pk in zip(created, ids, strict=True):
        values["id"] = pk
        new_by_dn[normalise_dn(values["directory_dn"])] = pk
    by_key = {key: values for key, _leaf, values in read.new}
    pending = []  # managers _write_managers must still resolve (existing agents, unknown DNs)
    for key, manager_dn, raw in read.managers:
        values = by_key.get(key)
        if values is None:
            pending.append((key, manager_dn, raw))
        elif not manager_dn:
            continue  # no manager: the row goes in without one
        elif manager_dn in new_by_dn:
            if new_by_dn[manager_dn] != values["id"]:  # nobody is their own manager
                values["manager_id"] = new_by_dn[manager_dn]
        else:
            pending.append((key, manager_dn, raw))
    read.managers = pending


def _sort_name(values: dict) -> str:
    # The model's own formula, without building a model instance per agent.
    return User.compute_sort_name(SimpleNamespace(**values))


@dataclass
class _Agents:
    """Directory agents after the inserts: id by login, manager by id, id by DN."""

    ids: dict[str, int]
    managers: dict[int, int | None]
    by_dn: dict[str, int]


def _directory_agents(read: SyncRead, *, everyone: bool = False) -> _Agents:
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
        # New agents' ids are known when they were reserved (_link_newcomers).
        logins = {key for key, _leaf, values in read.new if not values.get("id")}
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


def _write_managers(read: SyncRead, state: _Agents) -> None:
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


def _write_heads(read: SyncRead, department_ids, state: _Agents) -> None:
    heads = {
        dn: state.by_dn.get(normalise_dn(head)) if head else None for dn, head in read.heads.items()
    }
    read.counts["heads_changed"] += departments_set_heads(
        {dn: head for dn, head in heads.items() if dn in department_ids}
    )
