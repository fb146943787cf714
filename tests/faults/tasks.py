"""Tasks the fault tests give a real worker: they hold it until released or stopped.

Each writes `<marker>.started` when it begins, then waits for `<marker>.release` (five
minutes at most), so a test kills or stops the worker while a task is surely running.
"""

import time
from pathlib import Path

from django_tasks import task

from intranet.core.worker import rerun_if_lost

HOLD_SECONDS = 300


def _hold(marker: str) -> None:
    Path(f"{marker}.started").touch()
    deadline = time.monotonic() + HOLD_SECONDS
    while not Path(f"{marker}.release").exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@task()
def hold(marker: str) -> str:
    """Not safe to run twice (as an e-mail without a "sent" mark would be)."""
    _hold(marker)
    return "done"


@task()
@rerun_if_lost
def hold_rerunnable(marker: str) -> str:
    _hold(marker)
    Path(f"{marker}.done").touch()
    return "done"


@task()
def hold_then_query(marker: str) -> int:
    """Reads the database once released: fails if the database went away meanwhile."""
    from intranet.core.models import ScheduledJob

    _hold(marker)
    return ScheduledJob.objects.count()


@task()
def note(path: str) -> str:
    Path(path).touch()
    return "noted"
