"""The indexer task under steady writes: at most one drain waits in the queue, a drain
holds the worker for at most TRANSVERSE_SEARCH_DRAIN_SECONDS, and it stops lingering as
soon as another task (an e-mail, the directory sync) waits behind it."""

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from intranet.notifications.tasks import send_notification_email
from intranet.search import services
from intranet.search.models import IndexEntry
from intranet.search.tasks import DRAIN_PATH, search_drain_ensure, search_index_drain
from tests.search.conftest import index_now


def waiting_drains() -> int:
    return DBTaskResult.objects.filter(task_path=DRAIN_PATH, status="READY").count()


def kick_as_a_new_process():
    """What another daphne process's first kick does: no throttle, no cache mark yet."""
    services._last_kick["at"] = float("-inf")
    cache.delete(services.KICK_KEY)
    services.kick_indexer()


def test_many_writes_from_many_processes_queue_one_drain(db, alice, carol):
    for _ in range(50):
        services.search_index_later(alice)
        kick_as_a_new_process()
    assert waiting_drains() == 1


def test_a_running_drain_lets_one_more_queue_for_later_writes(db, alice):
    kick_as_a_new_process()
    DBTaskResult.objects.filter(task_path=DRAIN_PATH).update(status="RUNNING")
    for _ in range(10):
        kick_as_a_new_process()
    assert waiting_drains() == 1


def test_a_drain_stops_at_its_budget_and_queues_its_follow_up(db, settings, alice):
    index_now()
    settings.TRANSVERSE_SEARCH_DRAIN_SECONDS = 0  # one batch per run
    settings.TRANSVERSE_SEARCH_BATCH_SIZE = 2
    IndexEntry.objects.bulk_create(IndexEntry(kind="agent", object_id=alice.pk) for _ in range(5))
    assert search_index_drain.call() == 2
    assert IndexEntry.objects.filter(done_at__isnull=True).count() == 3
    assert waiting_drains() == 1


def test_a_drain_that_finished_queues_nothing(db, alice):
    index_now()
    IndexEntry.objects.create(kind="agent", object_id=alice.pk)
    search_index_drain.call()
    assert waiting_drains() == 0


def test_a_drain_does_not_linger_while_another_task_waits(db, alice, django_assert_max_num_queries):
    """Lingering polls the queue ten times a second: with an e-mail waiting, once."""
    index_now()
    send_notification_email.enqueue(123)
    with django_assert_max_num_queries(8):
        assert search_index_drain.call() == 0


@pytest.mark.parametrize("age_seconds, queued", [(60, True), (1, False)])
def test_the_worker_queues_a_drain_for_entries_left_without_one(db, alice, age_seconds, queued):
    from datetime import timedelta

    from django.utils import timezone

    entry = IndexEntry.objects.create(kind="agent", object_id=alice.pk)
    IndexEntry.objects.filter(pk=entry.pk).update(
        created_at=timezone.now() - timedelta(seconds=age_seconds)
    )
    assert (search_drain_ensure() is not None) is queued
    assert search_drain_ensure() is None  # one is waiting now (or the entry is too young)
