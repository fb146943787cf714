"""Dashboards benchmark on PostgreSQL: the full aggregation of 12 months, the daily
incremental run, and the dashboard pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_dashboards \\
        .venv/bin/python bench/dashboards/run.py --size S

The data set is the stream benchmark's (bench/stream/run.py generate(): same sizes, same
seed), its dates moved into the last 12 months (posts in their order, comments and
reactions spread at random), plus one chat message in a group room for every 5 posts.
Figures: the full aggregation (dashboards_rebuild's aggregate_period over 365 days) and
the daily run (aggregate_day of the last day) with time and peak memory (tracemalloc of
Python objects, and the process's peak RSS); then the pages (network, silos, one group's)
through the test client, interleaved with the bare "hello" view of the stream benchmark
(bench.stream.urls), p50/p95, queries per page for a 30-day and a 12-month period.
"""

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    Run,
    add_result_arguments,
    copy_rows,
    interleaved,
    percentile_ms,
    setup_django,
)
from bench.stream.run import SIZES, generate  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
os.environ.setdefault("TRANSVERSE_DEMO", "true")


FILLED = ("stream_post", "stream_comment", "stream_reaction", "chat_message")


def column_defaults() -> None:
    """Give this bench database's text and boolean NOT NULL columns a default ('' or false),
    so that the generator's COPY, which names the columns it knew when it was written, still
    loads once an app adds one (stream_post.image_alt, chat_message.attachment_alt...)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_name = ANY(%s) AND is_nullable = 'NO' AND column_default IS NULL"
            " AND data_type IN ('character varying', 'text', 'boolean')",
            [list(FILLED)],
        )
        for table, column, kind in cursor.fetchall():
            default = "false" if kind == "boolean" else "''"
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT {default}')


RAW = ("stream_post", "stream_comment", "stream_reaction", "chat_message", "accounts_agentsession")


def raw_indexes(create: bool) -> None:
    """With --raw-indexes: a created_at index on each raw table the daily run reads by day
    (the stream and chat apps define none; an experiment, not the shipped schema).
    Without: make sure none is left from an earlier run."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in RAW:
            if create:
                cursor.execute(
                    f'CREATE INDEX IF NOT EXISTS "bench_{table}_created" ON "{table}" (created_at)'
                )
            else:
                cursor.execute(f'DROP INDEX IF EXISTS "bench_{table}_created"')
        if create:
            cursor.execute("ANALYZE")


def into_last_year(size: dict) -> None:
    """Move the stream data set's dates into the 365 days before today (once), add chat."""
    from django.db import connection
    from django.utils import timezone

    from intranet.chat.models import Conversation, Message
    from intranet.groups.models import Group, Membership
    from intranet.stream.models import Post

    if Message.objects.exists():
        print("reusing the data set already moved into the last year")
        return
    end = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=365)
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(created_at), max(created_at) FROM stream_post")
        low, high = cursor.fetchone()
        span = (high - low).total_seconds() or 1
        cursor.execute(
            "UPDATE stream_post SET created_at = %s + (extract(epoch FROM created_at - %s) / %s)"
            " * interval '365 days'",
            [start, low, span],
        )
        for table in ("stream_comment", "stream_reaction"):
            cursor.execute(
                f"UPDATE {table} SET created_at = %s + random() * interval '365 days'",  # noqa: S608
                [start],
            )
        cursor.execute("UPDATE groups_group SET created_at = %s", [start - timedelta(days=30)])
        cursor.execute(
            "UPDATE groups_membership SET joined_at = %s + random() * interval '395 days'",
            [start - timedelta(days=30)],
        )
    rooms = {
        g: Conversation.objects.create(kind="group", group_id=g).pk
        for g in Group.objects.values_list("pk", flat=True)
    }
    members = {}
    for g, a in Membership.objects.values_list("group_id", "agent_id"):
        members.setdefault(g, []).append(a)
    import random

    rng = random.Random(4242)
    groups = [g for g in rooms if members.get(g)]
    count = size["posts"] // 5
    seqs = dict.fromkeys(rooms, 0)

    def messages():
        for i in range(count):
            g = rng.choice(groups)
            seqs[g] += 1
            when = start + timedelta(seconds=rng.random() * 365 * 86400)
            yield (
                rooms[g],
                seqs[g],
                seqs[g],
                rng.choice(members[g]),
                f"bench-{i}",
                "Bonjour",
                "<p>Bonjour</p>",
                when,
                "",
                "",
                "",
                0,
            )

    columns = ["conversation_id", "seq", "rev", "sender_id", "idempotency_key", "body",
               "body_html", "created_at", "attachment", "attachment_name", "attachment_type",
               "attachment_size"]  # fmt: skip
    copy_rows("chat_message", columns, messages(), count, "chat messages")
    for g, seq in seqs.items():
        Conversation.objects.filter(pk=rooms[g]).update(last_seq=seq, last_rev=seq)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"{Post.objects.count():,} posts moved into {start.date()}..{end.date()}")


def measured(function, *args):
    """(seconds, peak traced MiB) of one call."""
    tracemalloc.start()
    started = time.perf_counter()
    function(*args)
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(seconds, 2), round(peak / 2**20, 1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument(
        "--pages-only", action="store_true", help="measure the pages on the rows already built"
    )
    parser.add_argument(
        "--raw-indexes",
        action="store_true",
        help="index the raw tables on created_at first (an experiment: see raw_indexes)",
    )
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone

    size = SIZES[args.size]
    column_defaults()
    generate(size)
    into_last_year(size)
    raw_indexes(args.raw_indexes)
    record = Run("dashboards", args.size, label=args.label, history=not args.no_history)
    last = timezone.localdate() - timedelta(days=1)
    first = last - timedelta(days=args.days - 1)

    if not args.pages_only:
        aggregations(record, first, last, args.days)
    pages(record, args, last)
    record.finish(summary(record), raw_indexes=args.raw_indexes, days=args.days, **size)


def aggregations(record, first, last, days):
    from intranet.dashboards.aggregation import aggregate_day, aggregate_period

    started = time.perf_counter()
    done = [0]

    def progress(day):
        done[0] += 1
        if done[0] % 10 == 0:
            spent = time.perf_counter() - started
            print(f"  {done[0]} days, {spent:.0f} s, {spent / done[0]:.2f} s/day, load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip

    aggregate_period(first, last - timedelta(days=1), progress)
    full = round(time.perf_counter() - started, 2)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    record.add(
        {
            "id": "dashboards.full_aggregation",
            "days": days - 1,
            "seconds": full,
            "seconds_per_day": round(full / (days - 1), 3),
            "peak_rss_mib": round(rss, 1),
            "load_average": round(os.getloadavg()[0], 1),
        }
    )
    seconds, peak = measured(aggregate_day, last)
    started = time.perf_counter()
    aggregate_day(last)  # again, without tracemalloc's overhead
    plain = round(time.perf_counter() - started, 2)
    record.add(
        {
            "id": "dashboards.daily_run",
            "seconds": plain,
            "seconds_with_tracemalloc": seconds,
            "peak_traced_mib": peak,
            "target_seconds": 60,
            "load_average": round(os.getloadavg()[0], 1),
        }
    )


def pages(record, args, last):
    from django.test import Client
    from django.test.utils import override_settings

    from intranet.accounts.models import User
    from intranet.dashboards.models import GroupDay

    staff = User.objects.filter(is_staff=True).first() or User.objects.create(
        username="bench-staff", is_staff=True
    )
    group_row = GroupDay.objects.filter(day=last).order_by("-members").first()
    group_slug = group_row.group.slug
    pages = {
        "network": ("/dashboards/", 300),
        "silos": ("/dashboards/silos/", 300),
        "group": (f"/dashboards/groups/{group_slug}/", 100),
    }
    with override_settings(ROOT_URLCONF="bench.stream.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(staff)

        def get(url):
            def call():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return call

        for name, (url, target) in pages.items():
            queries = {}
            for period in ("30", "365"):
                times = interleaved(
                    get("/bench-hello/"),
                    get(f"{url}?period={period}"),
                    calls=args.requests,
                    pairs=args.pairs,
                )
                queries[period] = times.queries
            ratios = [statistics.mean(b) / statistics.mean(c) for b, c in times.rounds]
            record.add(
                {
                    "id": f"dashboards.page.{name}",
                    "period": "365 days",
                    "baseline": "hello view, same process",
                    "baseline_p50_ms": percentile_ms(times.baseline, 0.5),
                    "p50_ms": percentile_ms(times.candidate, 0.5),
                    "p95_ms": percentile_ms(times.candidate, 0.95),
                    "target_p95_ms": target,
                    "queries_30_days": queries["30"],
                    "queries_12_months": queries["365"],
                    "ratio_rps_vs_hello": round(statistics.median(ratios), 4),
                    "load_average": round(os.getloadavg()[0], 1),
                }
            )


def summary(record) -> str:
    lines = [
        f"# Dashboards benchmark, size {record.size}, commit {record.commit}, {record.date}",
        "",
    ]
    for f in record.figures:
        lines.append("- " + ", ".join(f"{k}: {v}" for k, v in f.items()))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
