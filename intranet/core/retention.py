"""How long personal data is kept: each app registers what it removes, a daily task and
the `retention` command apply every rule, and a dry run says what they would remove.

An app describes one kind of data in its `retention.py` (discovered at start-up):

    retention_register(RetentionRule(
        name="notifications", label=_("Notifications"),
        setting="TRANSVERSE_RETENTION_NOTIFICATIONS_DAYS",
        expired=lambda before: Notification.objects.filter(created_at__lt=before),
    ))

`expired(before)` lists what is older than the cut-off; `remove(pks)` deletes one batch
of them (their keys, ascending) with whatever else goes with them (files, search
documents), in a transaction; by default the rows alone. A setting of 0 days keeps that
kind for ever. The dry run counts exactly what the run would delete with the same cut-off.

The run walks each kind in ascending key order, each batch starting after the last key
of the one before (keyset pagination): a batch never rescans the rows earlier batches
deleted (dead until vacuum, they made each batch slower than the last inside one
transaction). The default removal is one set-based DELETE over the batch's key range and
the rule's own condition (Django's fast path: no rows loaded, no per-row signal) when
the model has no cascade or delete signal; otherwise Django's collector does it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from intranet.core.worker import rerun_if_lost

logger = logging.getLogger(__name__)
RETENTION_JOB = "core.retention"
BATCH = 1000


@dataclass(frozen=True)
class RetentionRule:
    name: str
    label: str
    setting: str  # days to keep, in settings (0: for ever); "": what expired goes at once
    expired: Callable[[datetime], object]  # before -> QuerySet of what is older
    remove: Callable[[list], int] | None = None  # pks -> how many removed


_rules: dict[str, RetentionRule] = {}


def retention_register(rule: RetentionRule) -> None:
    _rules[rule.name] = rule


def retention_rules() -> list[RetentionRule]:
    return [_rules[name] for name in sorted(_rules)]


def retention_cutoff(rule: RetentionRule, now: datetime) -> datetime | None:
    if not rule.setting:
        return now
    days = getattr(settings, rule.setting, 0)
    return now - timedelta(days=days) if days else None


def retention_plan(now: datetime | None = None) -> list[tuple[RetentionRule, datetime | None, int]]:
    """(rule, cut-off, how many would be removed) for every rule: the dry run."""
    now = now or timezone.now()
    plan = []
    for rule in retention_rules():
        cutoff = retention_cutoff(rule, now)
        count = rule.expired(cutoff).count() if cutoff else 0
        plan.append((rule, cutoff, count))
    return plan


def retention_apply(now: datetime | None = None, *, progress=None) -> dict[str, int]:
    """Remove what every rule's cut-off leaves behind, in batches; returns the counts.

    progress(rule, removed_so_far) is called after each batch (the command prints it).
    """
    now = now or timezone.now()
    removed = {}
    for rule in retention_rules():
        cutoff = retention_cutoff(rule, now)
        removed[rule.name] = 0
        if cutoff is None:
            continue
        after = None
        while True:
            expired = rule.expired(cutoff)
            if after is not None:
                expired = expired.filter(pk__gt=after)
            pks = list(expired.order_by("pk").values_list("pk", flat=True)[:BATCH])
            if not pks:
                break
            after = pks[-1]
            with transaction.atomic():
                if rule.remove is not None:
                    rule.remove(pks)
                else:
                    _range_delete(rule.expired(cutoff), pks[0], pks[-1])
            removed[rule.name] += len(pks)
            if progress is not None:
                progress(rule, removed[rule.name])
        if removed[rule.name]:
            logger.info(
                "retention: %s: %d removed (older than %s)", rule.name, removed[rule.name], cutoff
            )
    return removed


def _range_delete(expired, first, last) -> int:
    """Delete what `expired` holds between these keys (a batch: exactly its rows, since
    the batch is every expired key from first to last). One DELETE with the range and the
    rule's condition when Django can delete without loading rows."""
    batch = expired.filter(pk__gte=first, pk__lte=last)
    _total, per_model = batch.delete()
    return per_model.get(batch.model._meta.label, 0)


def _expired_sessions(before):
    from django.contrib.sessions.models import Session

    # Sessions end by their own expiry date (TRANSVERSE_SESSION_AGE); the cut-off of a
    # rule without setting is the run's `now`, so the dry run and the run agree.
    return Session.objects.filter(expire_date__lt=before)


def _finished_tasks(before):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    finished = [TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]
    return DBTaskResult.objects.filter(status__in=finished, finished_at__lt=before)


def core_rules_register() -> None:
    """The kinds core knows without any app: sessions and finished background tasks."""
    from django.utils.translation import gettext_lazy as _

    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        retention_register(
            RetentionRule(
                name="sessions",
                label=_("Expired sessions"),
                setting="",  # always: a session past its expiry date is of no use
                expired=_expired_sessions,
            )
        )
    retention_register(
        RetentionRule(
            name="tasks",
            label=_("Finished background tasks"),
            setting="TRANSVERSE_RETENTION_TASKS_DAYS",
            expired=_finished_tasks,
        )
    )


def next_retention_time(now: datetime) -> datetime:
    """Every night at 03:30, local time."""
    local = timezone.localtime(now)
    run = local.replace(hour=3, minute=30, second=0, microsecond=0)
    return run if run > local else run + timedelta(days=1)


@task(takes_context=True)
@rerun_if_lost
def retention_daily_periodic(context) -> dict:
    """The scheduled nightly run: apply every rule (and clearsessions), queue the next."""
    from django.core.management import call_command

    from intranet.core.schedule import schedule_claim, schedule_next

    task_id = str(context.task_result.id)
    if not schedule_claim(RETENTION_JOB, task_id):
        return {}
    try:
        removed = retention_apply()
        call_command("clearsessions")  # the other session engines' own clean-up
        return removed
    finally:
        schedule_next(RETENTION_JOB, task_id)
