"""Background job: the daily aggregation of yesterday, on the periodic job chain."""

import logging
from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task

from intranet.core.worker import rerun_if_lost

logger = logging.getLogger(__name__)
AGGREGATION_JOB = "dashboards.aggregate"
RUN_AT = time(2, 30)  # local time, after midnight's activity has settled


def next_aggregation(now):
    local = timezone.localtime(now)
    when = timezone.make_aware(datetime.combine(local.date(), RUN_AT))
    return when if when > now else when + timedelta(days=1)


def dashboards_aggregate_missing(today=None) -> int:
    """Aggregate every day since the last aggregated one, up to yesterday (a missed night
    is caught up; a first run computes yesterday only: a longer past is the command's)."""
    from intranet.dashboards.aggregation import aggregate_period
    from intranet.dashboards.models import NetworkDay

    today = today or timezone.localdate()
    yesterday = today - timedelta(days=1)
    last = NetworkDay.objects.order_by("-day").values_list("day", flat=True).first()
    first = yesterday if last is None else min(last + timedelta(days=1), yesterday)
    return aggregate_period(first, yesterday)


@task(takes_context=True)
@rerun_if_lost
def dashboards_aggregate_periodic(context) -> int:
    from intranet.core.schedule import schedule_claim, schedule_next

    task_id = str(context.task_result.id)
    if not schedule_claim(AGGREGATION_JOB, task_id):
        return 0
    try:
        days = dashboards_aggregate_missing()
        logger.info("dashboards: %d day(s) aggregated", days)
        return days
    finally:
        schedule_next(AGGREGATION_JOB, task_id)
