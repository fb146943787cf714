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
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from intranet.audit import kinds
from intranet.audit.services import audit_record
from intranet.core import metrics
from intranet.directory.config import directory_config
from intranet.directory.connection import DirectoryUnavailable
from intranet.directory.entries import generalized_time, parse_generalized_time
from intranet.directory.models import SyncRun
from intranet.directory.selectors import last_successful_run
from intranet.directory.services.sync_read import SyncRead, sync_read
from intranet.directory.services.sync_write import sync_write

logger = logging.getLogger(__name__)

# An entry modified while the previous run was reading may carry an older timestamp than
# the newest one that run saw: read again what changed during that run, plus a margin.
INCREMENTAL_MARGIN = timedelta(seconds=5)


class SyncRefused(Exception):
    """The safety guard stopped the run before any write; the message says why."""


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
        read = sync_read(config, since=since, progress=progress, expected=expected)
        leavers = _leavers(read, full=mode == SyncRun.Mode.FULL)
        _guard(config, read, leavers, full=mode == SyncRun.Mode.FULL, force=force)
        sync_write(config, read, leavers, full=mode == SyncRun.Mode.FULL)
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
    metrics.directory_sync_observe(
        run.mode, status, (run.finished_at - run.started_at).total_seconds()
    )
    # In the audit trail: every full run, refusal and failure, and the incremental runs
    # that changed something (one a minute that changed nothing would drown the rest).
    if (
        status != SyncRun.Status.SUCCEEDED
        or run.mode == SyncRun.Mode.FULL
        or any((counts or {}).values())
    ):
        audit_record(
            kinds.DIRECTORY_SYNCED,
            actor=None,
            target=run,
            mode=run.mode,
            status=status,
            counts=run.counts,
            reason=message[:300],
        )


def _leavers(read: SyncRead, *, full: bool) -> list[int]:
    leavers = list(read.disabled_ids)
    if full:
        leavers += [
            row["id"]
            for key, row in read.existing.items()
            if row["is_active"] and key not in read.seen
        ]
    return leavers


def _guard(config, read: SyncRead, leavers, *, full: bool, force: bool) -> None:
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
