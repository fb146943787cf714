"""Reads about the directory sync: past runs and the state of the schedule."""

from intranet.directory.models import SyncRun


def last_successful_run(mode: str | None = None) -> SyncRun | None:
    runs = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED)
    if mode:
        runs = runs.filter(mode=mode)
    return runs.order_by("-started_at", "-pk").first()


def recent_runs(limit: int = 20) -> list[SyncRun]:
    return list(SyncRun.objects.order_by("-started_at", "-pk")[:limit])
