"""A task that always fails, for the failed-task metric (tests/core/test_metrics.py)."""

from django_tasks import task


@task()
def always_fails() -> None:
    raise RuntimeError("this task fails on purpose")
