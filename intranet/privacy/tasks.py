"""Background jobs: build an export; every night purge expired exports and anonymise
directory leavers past the configured delay."""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from intranet.core.worker import rerun_if_lost

logger = logging.getLogger(__name__)
PURGE_JOB = "privacy.daily"


def next_daily_run(now):
    return (timezone.localtime(now) + timedelta(days=1)).replace(
        hour=3, minute=30, second=0, microsecond=0
    )


@task()
@rerun_if_lost
def privacy_export_build(export_id: int) -> bool:
    from intranet.privacy.services import export_build

    return export_build(export_id) is not None


@task(takes_context=True)
@rerun_if_lost
def privacy_daily(context) -> int:
    from intranet.core.schedule import schedule_claim, schedule_next
    from intranet.privacy.services import exports_purge, leavers_anonymise

    task_id = str(context.task_result.id)
    if not schedule_claim(PURGE_JOB, task_id):
        return 0
    try:
        purged, anonymised = exports_purge(), leavers_anonymise()
        logger.info("%d exports purged, %d leavers anonymised", purged, anonymised)
        return purged + anonymised
    finally:
        schedule_next(PURGE_JOB, task_id)
