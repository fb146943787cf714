"""Ticks and moves sent at once on PostgreSQL, with real concurrent transactions: the same
tick four times keeps one row and no error; two animators moving steps at once leave
positions unique and every step in place."""

import threading

import pytest
from django.db import connection

from intranet.paths import services
from intranet.paths.models import Progress, Step


def run_at_once(calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # the test reports any of them
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL (the test SQLite is in-memory)")


@pytest.mark.django_db(transaction=True)
def test_same_tick_four_times_at_once_keeps_one_row(postgres_only, path, alice):
    step = path.steps.first()
    errors = run_at_once([lambda: services.progress_set(alice, step, done=True)] * 4)
    assert errors == []
    assert Progress.objects.filter(step=step, agent=alice).count() == 1


@pytest.mark.django_db(transaction=True)
def test_moves_at_once_keep_positions_unique(postgres_only, path, bob, staff):
    first, second, third = path.steps.all()
    errors = run_at_once(
        [
            lambda: services.step_move(bob, Step.objects.get(pk=third.pk), direction="up"),
            lambda: services.step_move(staff, Step.objects.get(pk=first.pk), direction="down"),
            lambda: services.step_move(bob, Step.objects.get(pk=second.pk), direction="up"),
        ]
    )
    assert errors == []
    positions = list(Step.objects.filter(path=path).values_list("position", flat=True))
    assert len(positions) == 3 and len(set(positions)) == 3
