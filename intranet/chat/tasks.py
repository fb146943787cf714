"""Background job: notifying agents of chat messages they missed, on the periodic chain."""

import logging
from datetime import timedelta

from django_tasks import task

from intranet.core.worker import rerun_if_lost

logger = logging.getLogger(__name__)
MISSED_JOB = "chat.missed"
CHECK_EVERY = timedelta(minutes=1)


def next_missed_check(now):
    return now + CHECK_EVERY


@task(takes_context=True)
@rerun_if_lost
def chat_missed_periodic(context) -> int:
    """The scheduled run: notify who missed messages, then queue the next check."""
    from intranet.chat.services.notices import chat_missed_notify
    from intranet.core.schedule import schedule_claim, schedule_next

    task_id = str(context.task_result.id)
    if not schedule_claim(MISSED_JOB, task_id):
        return 0
    try:
        told = chat_missed_notify()
        logger.info("%d agents told of chat messages they missed", told)
        return told
    finally:
        schedule_next(MISSED_JOB, task_id)
