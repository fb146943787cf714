"""Background job: escalating questions left without answer, on the periodic job chain."""

import logging
from datetime import timedelta

from django_tasks import task

from intranet.core.worker import rerun_if_lost

logger = logging.getLogger(__name__)
ESCALATION_JOB = "questions.escalate"
CHECK_EVERY = timedelta(minutes=15)


def next_escalation_check(now):
    return now + CHECK_EVERY


@task(takes_context=True)
@rerun_if_lost
def questions_escalate_periodic(context) -> int:
    """The scheduled run: escalate what waited too long, then queue the next check."""
    from intranet.core.schedule import schedule_claim, schedule_next
    from intranet.questions.services import questions_escalate

    task_id = str(context.task_result.id)
    if not schedule_claim(ESCALATION_JOB, task_id):
        return 0
    try:
        moved = questions_escalate()
        logger.info("%d questions escalated", moved)
        return moved
    finally:
        schedule_next(ESCALATION_JOB, task_id)
