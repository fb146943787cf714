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


def raw_index_models():
    """The raw tables the daily run reads one day at a time, with their created_at index
    as the models declare it (stream, chat: Meta.indexes). accounts_agentsession has none:
    it holds only the sessions not yet expired (bench/results/dashboards.md)."""
    from intranet.chat.models import Message
    from intranet.stream.models import Comment, Post, Reaction

    found = []
    for model in (Post, Comment, Reaction, Message):
        index = next(i for i in model._meta.indexes if list(i.fields) == ["created_at"])
        found.append((model._meta.db_table, index.name))
    return found


def raw_indexes(create: bool) -> float:
    """Create (or drop) the created_at index of each raw table, then ANALYZE them; the
    seconds the creation took. --raw-indexes without drops them for the whole run
    (the schema before the indexes), compare times both ways in the same run."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table, name in raw_index_models():
            cursor.execute(f'DROP INDEX IF EXISTS "bench_{table}_created"')  # older runs'
            if create:
                cursor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" (created_at)')
            else:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        built = time.perf_counter() - started
        for table, _name in raw_index_models():
            cursor.execute(f'ANALYZE "{table}"')
    return round(built, 2)


def insert_cost(table: str, rows: int) -> float:
    """Seconds to insert `rows` copies of existing rows into table (new ids, unique keys
    made unique), in a transaction rolled back: the write side of an index."""
    from django.db import connection, transaction

    uniques = {
        "stream_post": {"idempotency_key": "''"},
        "stream_comment": {"idempotency_key": "''"},
        "stream_reaction": {"kind": "'w' || (id % 1000000000)"},
        "chat_message": {"seq": "seq + 1000000000", "idempotency_key": "'w' || id"},
    }[table]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " AND column_name <> 'id' ORDER BY ordinal_position",
            [table],
        )
        columns = [c for (c,) in cursor.fetchall()]
        chosen = ", ".join(uniques.get(c, f'"{c}"') for c in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        try:
            with transaction.atomic():
                started = time.perf_counter()
                cursor.execute(
                    f'INSERT INTO "{table}" ({names}) SELECT {chosen} FROM "{table}"'  # noqa: S608
                    f" ORDER BY id DESC LIMIT {int(rows)}"
                )
                seconds = time.perf_counter() - started
                raise _RollBack
        except _RollBack:
            pass
    return seconds


class _RollBack(Exception):
    pass


def compare_raw_indexes(record, last, days: int, pairs: int) -> None:
    """Without and with the created_at indexes, interleaved (A B A B): a rebuild of the
    `days` days before `last`, then the daily run of `last`; and the write side, the
    time to insert 20,000 rows into each big raw table. Ratios without / with."""
    from intranet.dashboards.aggregation import aggregate_day, aggregate_period

    first = last - timedelta(days=days)
    runs = {False: [], True: []}
    for _pair in range(pairs):
        for create in (False, True):
            built = raw_indexes(create)
            started = time.perf_counter()
            aggregate_period(first, last - timedelta(days=1))
            rebuild = time.perf_counter() - started
            started = time.perf_counter()
            aggregate_day(last)
            daily = time.perf_counter() - started
            writes = {t: insert_cost(t, 20_000) for t in FILLED}
            runs[create].append((rebuild, daily, writes, built))
            print(f"  indexes={create}: rebuild {rebuild:.2f} s, daily {daily:.2f} s, "
                  f"inserts {writes}, load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    med = lambda values: round(statistics.median(values), 3)  # noqa: E731
    without, with_ = runs[False], runs[True]
    figure = {
        "id": "dashboards.raw_indexes",
        "days_rebuilt": days,
        "pairs": pairs,
        "rebuild_s_without": med([r[0] for r in without]),
        "rebuild_s_with": med([r[0] for r in with_]),
        "daily_s_without": med([r[1] for r in without]),
        "daily_s_with": med([r[1] for r in with_]),
        "ratio_rebuild_without_over_with": med(
            [a[0] / b[0] for a, b in zip(without, with_, strict=True)]
        ),
        "ratio_daily_without_over_with": med(
            [a[1] / b[1] for a, b in zip(without, with_, strict=True)]
        ),
        "index_build_s": med([r[3] for r in with_]),
        "load_average": round(os.getloadavg()[0], 1),
    }
    for table in FILLED:
        figure[f"insert_20k_{table}_ratio_with_over_without"] = med(
            [b[2][table] / a[2][table] for a, b in zip(without, with_, strict=True)]
        )
        figure[f"insert_20k_{table}_s_with"] = med([b[2][table] for b in with_])
    record.add(figure)


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
        choices=("with", "without", "compare"),
        default="with",
        help="the raw tables' created_at indexes: as shipped (with), dropped for the run "
        "(without), or compare: both, interleaved, before the rest (see compare_raw_indexes)",
    )
    parser.add_argument("--compare-days", type=int, default=3)
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django()
    from django.utils import timezone

    size = SIZES[args.size]
    column_defaults()
    generate(size)
    into_last_year(size)
    record = Run("dashboards", args.size, label=args.label, history=not args.no_history)
    last = timezone.localdate() - timedelta(days=1)
    first = last - timedelta(days=args.days - 1)
    if args.raw_indexes == "compare":
        compare_raw_indexes(record, last, args.compare_days, args.pairs)
    raw_indexes(args.raw_indexes != "without")

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
