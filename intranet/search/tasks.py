"""The indexer as a background task (django-tasks, run by `manage.py db_worker`)."""

from django_tasks import task

from intranet.search.indexer import drain


@task()
def search_index_drain() -> int:
    """Drain the search queue; keep listening 1 s so a change just after the kick is seen."""
    return drain(lock_timeout=10.0, linger=1.0)
