"""Reads about the directory sync: its last successful run."""

from intranet.directory.models import SyncRun


def last_successful_run(mode: str | None = None) -> SyncRun | None:
    runs = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED)
    if mode:
        runs = runs.filter(mode=mode)
    return runs.order_by("-started_at", "-pk").first()
