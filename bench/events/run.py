"""Sessions benchmark on PostgreSQL: the calendar page and a registration burst.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_events \\
        .venv/bin/python bench/events/run.py

Data (seeded, kept between runs): a group of 2,000 members with the sessions tool on and
200 sessions over two months, and one agent in 30 such groups (the 200 sessions spread
over them). Figures:
- the calendar page (/events/?month=...) of the agent in 30 groups, through Django's test
  client, interleaved with the accessibility page (the baseline: the same header, menu
  and badges around a static text); target p95
  <= 100 ms;
- a burst of 500 agents registering for a session of 100 seats from 8 threads at once
  (the connection pool's size; real concurrent transactions): wall time (target <= 1 s),
  p99 of one registration (target <= 200 ms), and the seats taken (exactly 100: no
  over-booking), against a baseline burst of the same 500 rows inserted bare (3 rounds,
  baseline and burst alternating).
"""

import argparse
import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    Run,
    add_result_arguments,
    interleaved,
    percentile_ms,
    setup_django,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")

MEMBERS, GROUPS, SESSIONS, BURST, SEATS, THREADS = 2_000, 30, 200, 500, 100, 8


def generate():
    from django.utils import timezone

    from intranet.accounts.models import User
    from intranet.events.models import Event
    from intranet.groups.models import Group, GroupTool, Membership

    if Group.objects.filter(slug="bench-events-0").exists():
        print("reusing the generated groups and sessions")
        return
    users = User.objects.bulk_create(
        [
            User(
                username=f"bench-ev-{i}", first_name="Agent", last_name=f"N{i}", email=f"a{i}@x.fr"
            )
            for i in range(MEMBERS)
        ],
        batch_size=1000,
    )
    groups = Group.objects.bulk_create(
        [
            Group(name=f"Bench sessions {i}", slug=f"bench-events-{i}", policy="closed")
            for i in range(GROUPS)
        ]
    )
    GroupTool.objects.bulk_create([GroupTool(group=g, key="events") for g in groups])
    Membership.objects.bulk_create(
        [Membership(group=groups[0], agent=u) for u in users]
        + [Membership(group=g, agent=users[0]) for g in groups[1:]],
        batch_size=2000,
    )
    start = timezone.now().replace(day=1, hour=8, minute=0, second=0, microsecond=0)
    events = []
    for i in range(SESSIONS):
        when = start + timedelta(days=i % 56, hours=i % 9)
        events.append(
            Event(
                group=groups[i % GROUPS],
                title=f"Session {i}",
                starts_at=when,
                duration_minutes=90,
                ends_at=when + timedelta(minutes=90),
                capacity=30,
            )
        )
    Event.objects.bulk_create(events)


def _threads_run(agents, call, threads):
    """call(agent) for every agent from `threads` threads at once: each call's time and
    the errors."""
    from django.db import connections

    queue = list(agents)
    lock = threading.Lock()
    times, errors = [], []

    def work():
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    agent = queue.pop()
                started = time.perf_counter()
                call(agent)
                elapsed = time.perf_counter() - started
                with lock:
                    times.append(elapsed)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return times, errors


def _burst_run(agents, call, processes=1, threads=THREADS):
    """call(agent) for every agent from `processes` processes of `threads` threads each,
    all at once (as a page server's workers would take the requests): wall time, each
    call's time, the errors."""
    if processes == 1:
        started = time.perf_counter()
        times, errors = _threads_run(agents, call, threads)
        return time.perf_counter() - started, times, errors
    import multiprocessing

    from django.db import connections

    # A forked child must not share its parent's connections, nor its pool (whose
    # threads a child does not inherit): closed here, each child opens its own.
    connections.close_all()
    for connection in connections.all():
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()
    context = multiprocessing.get_context("fork")
    ready, results = context.Barrier(processes + 1), context.Queue()

    def child(index):
        share = agents[index::processes]
        ready.wait()
        results.put(_threads_run(share, call, threads))

    children = [context.Process(target=child, args=(i,)) for i in range(processes)]
    for process in children:
        process.start()
    ready.wait()
    started = time.perf_counter()
    times, errors = [], []
    for _ in children:
        some_times, some_errors = results.get()
        times += some_times
        errors += some_errors
    wall = time.perf_counter() - started
    for process in children:
        process.join()
    return wall, times, errors


def burst(record, rounds=3, processes=1, threads=THREADS):
    """The registration burst, interleaved with its baseline: the same agents inserting
    the same registration rows, one bare ORM INSERT in a transaction each (no rule, no
    seat). Rounds alternate baseline and burst; the ratio is the median of each round's."""
    from django.db import transaction
    from django.utils import timezone

    from intranet.accounts.models import User
    from intranet.events import services
    from intranet.events.models import Event, Registration
    from intranet.groups.models import Group

    group = Group.objects.get(slug="bench-events-0")
    agents = list(User.objects.filter(username__startswith="bench-ev-").order_by("pk")[:BURST])
    walls, base_walls, all_times, base_times, results = [], [], [], [], []
    for _ in range(rounds):
        base_event = Event.objects.create(
            group=group,
            title="Témoin",
            starts_at=timezone.now() + timedelta(days=5),
            duration_minutes=60,
        )

        def bare(agent, pk=base_event.pk):
            with transaction.atomic():
                Registration.objects.create(event_id=pk, agent=agent, status="registered")

        base_wall, times, errors = _burst_run(agents, bare, processes, threads)
        base_walls.append(base_wall)
        base_times += times
        base_event.delete()

        event = Event.objects.create(
            group=group,
            title="Rafale",
            starts_at=timezone.now() + timedelta(days=5),
            duration_minutes=60,
            capacity=SEATS,
        )
        wall, times, errors = _burst_run(
            agents,
            lambda agent, pk=event.pk: services.event_register(agent, Event(pk=pk)),
            processes,
            threads,
        )
        walls.append(wall)
        all_times += times
        taken = Registration.objects.filter(event=event, status="registered").count()
        waiting = Registration.objects.filter(event=event, status="waiting").count()
        event.refresh_from_db()
        results.append((taken, waiting, event.seats_taken, errors[:3]))
        event.delete()
    ratios = [w / b for w, b in zip(walls, base_walls, strict=True)]
    import statistics

    record.add(
        {
            "figure": "registration burst",
            "agents": BURST,
            "seats": SEATS,
            "processes": processes,
            "threads": threads,
            "rounds": rounds,
            "wall_s": [round(w, 3) for w in walls],
            "p50_ms": percentile_ms(all_times, 0.5),
            "p99_ms": percentile_ms(all_times, 0.99),
            "baseline": "bare ORM insert of the same rows, one transaction each",
            "baseline_wall_s": [round(w, 3) for w in base_walls],
            "baseline_p99_ms": percentile_ms(base_times, 0.99),
            "ratio_median": round(statistics.median(ratios), 2),
            "taken_waiting_counter_errors": results,
        }
    )
    return walls


def calendar_pages(record, args, agent):
    """The calendar's month and list views of an agent in 30 groups, interleaved with the
    accessibility page."""
    import statistics

    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(agent)
        month = timezone.localdate().strftime("%Y-%m")

        def baseline():
            assert client.get("/about/accessibility/").status_code == 200

        def calendar():
            assert client.get(f"/events/?month={month}").status_code == 200

        def calendar_list():
            assert client.get(f"/events/?month={month}&view=list").status_code == 200

        for name, candidate in (("calendar month", calendar), ("calendar list", calendar_list)):
            run = interleaved(baseline, candidate, calls=args.calls, pairs=args.pairs)
            ratios = [
                statistics.median(c) / statistics.median(b) for b, c in run.rounds if min(b) > 0
            ]
            record.add(
                {
                    "figure": name,
                    "groups": 30,
                    "p50_ms": percentile_ms(run.candidate, 0.5),
                    "p95_ms": percentile_ms(run.candidate, 0.95),
                    "p99_ms": percentile_ms(run.candidate, 0.99),
                    "baseline_p50_ms": percentile_ms(run.baseline, 0.5),
                    "ratio_median": round(statistics.median(ratios), 2),
                    "queries": run.queries,
                }
            )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--calendar-only", action="store_true", help="skip the registration burst")
    parser.add_argument("--burst-only", action="store_true", help="skip the calendar pages")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="burst from this many processes (deploy/'s page server: 2 workers a node)",
    )
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per process")
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django()
    generate()

    from intranet.accounts.models import User

    record = Run("events", "L", label=args.label, history=not args.no_history)
    if not args.burst_only:
        calendar_pages(record, args, User.objects.get(username="bench-ev-0"))
    if not args.calendar_only:
        burst(record, processes=args.processes, threads=args.threads)
    lines = ["# Sessions benchmark", ""]
    lines += [f"- {f}" for f in record.figures]
    record.finish("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
