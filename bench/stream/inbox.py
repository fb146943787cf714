"""Feed strategies compared on PostgreSQL: assembled on read, materialised inbox, hybrid.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_stream_l \\
        .venv/bin/python bench/stream/inbox.py --size L

Uses the dataset of bench/stream/run.py (generated if missing) and its measured agent.

- assembled: the site's home feed (stream.selectors.home_feed), built from indexed tables
  at read time.
- inbox: one row (agent, post) per post in each agent's feed, written by fan-out when the
  post is published (a background task would do it); a page reads the agent's next ids
  from the inbox, then the same visibility re-check and decoration.
- hybrid: the inbox without the posts of accounts everyone follows (over --celebrity
  followers) nor organisation-wide announcements, which are merged in at read time.

Read: both pages (1 and 50) through the same decoration, interleaved (assembled, inbox,
hybrid, repeated), median/p95 of the selector, ratio to assembled in the same run.
Write: for a sample of new posts of each kind, the time to find the recipients and insert
their inbox rows (what the fan-out task would do per post), and the rows per post; the
inbox size for the whole dataset is extrapolated from the rows per post of each kind.
The inbox table is filled for the measured agent only (a read touches one agent's rows).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    Run,
    add_result_arguments,
    percentile_ms,
    setup_django,
)
from bench.stream import run  # noqa: E402

INBOX_DDL = """
CREATE TABLE IF NOT EXISTS bench_inbox (
    agent_id bigint NOT NULL, post_id bigint NOT NULL, PRIMARY KEY (agent_id, post_id)
)
"""

# Who a new post goes to (fan-out): the agents whose assembled feed shows it.
RECIPIENTS_SQL = """
SELECT m.agent_id FROM groups_membership m WHERE %(group)s::bigint IS NOT NULL
    AND m.group_id = %(group)s
UNION SELECT u.id FROM accounts_user u JOIN departments_department d ON d.id = u.department_id
    WHERE %(visibility)s = 'department' AND u.is_active
    AND d.path LIKE (SELECT path FROM departments_department WHERE id = %(department)s) || '%%'
UNION SELECT f.follower_id FROM stream_follow f WHERE f.followed_id = %(author)s
    AND (%(group)s::bigint IS NULL OR %(open)s)
UNION SELECT u.id FROM accounts_user u WHERE %(announcement)s AND u.is_active
UNION SELECT %(author)s
"""

FANOUT_SQL = (
    "INSERT INTO bench_inbox (agent_id, post_id) SELECT r.agent_id, %(post)s "  # noqa: S608
    f"FROM ({RECIPIENTS_SQL}) AS r(agent_id) ON CONFLICT DO NOTHING"
)


def inbox_rows_for(agent, owner: int, *, skip_authors=(), skip_announcements=False) -> int:
    """Fill inbox `owner` with the ids of agent's assembled feed (the hybrid's rows live
    beside the full inbox's under owner -agent.pk)."""
    from django.db import connection

    from intranet.stream.models import Visibility
    from intranet.stream.selectors import home_feed_posts

    posts = home_feed_posts(agent)
    if skip_authors:
        posts = posts.exclude(author_id__in=list(skip_authors))
    if skip_announcements:
        posts = posts.exclude(is_announcement=True, visibility=Visibility.ORGANISATION)
    sql, params = posts.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM bench_inbox WHERE agent_id = %s", [owner])
        cursor.execute(
            f"INSERT INTO bench_inbox (agent_id, post_id) SELECT %s, p FROM ({sql}) AS f(p)",  # noqa: S608  (Django's own SQL)
            [owner, *params],
        )
        return cursor.rowcount


def inbox_feed(agent, owner: int, cursor, *, merged_authors=(), merge_announcements=False):
    """A page read from the inbox (plus, for the hybrid, the merged-in sources)."""
    from django.db.models.expressions import RawSQL

    from intranet.stream import access
    from intranet.stream.selectors import PAGE_SIZE, parse_cursor, posts_page

    before = parse_cursor(cursor) or 2**62
    n = PAGE_SIZE + 1
    parts = [
        "(SELECT post_id FROM bench_inbox WHERE agent_id = %s AND post_id < %s "
        "ORDER BY post_id DESC LIMIT %s)"
    ]
    params = [owner, before, n]
    # Merged sources are read already filtered by the access model (else invisible posts
    # would take the places of visible ones among their first n).
    visible = access.visible_posts(agent).filter(pk__lt=before).order_by("-pk")
    merged = []
    if merged_authors:
        merged.append(visible.filter(author_id__in=list(merged_authors)))
    if merge_announcements:
        merged.append(visible.filter(is_announcement=True, visibility="organisation"))
    for source in merged:
        sql, source_params = source.values("pk")[:n].query.sql_with_params()
        parts.append(f"({sql})")
        params += list(source_params)
    ids = RawSQL(" UNION ALL ".join(parts), params)  # noqa: S611  (constant parts, bound values)
    return posts_page(agent, access.visible_posts(agent).filter(pk__in=ids), cursor)


def celebrities(threshold: int) -> list[int]:
    from django.db.models import Count

    from intranet.stream.models import Follow

    rows = (
        Follow.objects.values("followed_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=threshold)
        .values_list("followed_id", flat=True)
    )
    return list(rows)


def read_figures(agent, strategies: dict, requests: int, pairs: int) -> dict:
    """Interleaved timings of each strategy's page 1 and page 50 (selector + decoration)."""
    from intranet.stream.selectors import home_feed

    cursors = {1: None, 50: run.cursor_for_page(agent, 50)}
    for name, read in strategies.items():  # same pages whatever the strategy
        for page, cursor in cursors.items():
            got = [p.pk for p in read(cursor).posts]
            want = [p.pk for p in home_feed(agent, cursor=cursor).posts]
            assert got == want, (name, page, sorted(set(got) ^ set(want)), len(got), len(want))
    times = {(name, page): [] for name in strategies for page in cursors}
    for _ in range(pairs):
        for page, cursor in cursors.items():
            for name, read in strategies.items():
                for _ in range(requests):
                    t0 = time.perf_counter()
                    read(cursor)
                    times[name, page].append(time.perf_counter() - t0)
    return times


def write_figures(samples: int, celebrity_ids: list[int]) -> dict:
    """Fan-out cost per kind of new post: recipients found and inbox rows inserted."""
    from django.db import connection, transaction

    from intranet.stream.models import Post

    kinds = {
        "group post": Post.objects.filter(visibility="group"),
        "department post": Post.objects.filter(visibility="department"),
        "organisation post": Post.objects.filter(
            visibility="organisation", is_announcement=False
        ).exclude(author_id__in=celebrity_ids),
        "post by an account everyone follows": Post.objects.filter(author_id__in=celebrity_ids),
        "announcement": Post.objects.filter(visibility="organisation", is_announcement=True),
    }
    figures = {}
    for kind, posts in kinds.items():
        chosen = list(
            posts.order_by("-pk")
            .select_related("group")
            .values_list(
                "pk",
                "author_id",
                "group_id",
                "group__policy",
                "visibility",
                "department_id",
                "is_announcement",
            )[:samples]
        )
        times, rows = [], []
        for pk, author, group, policy, visibility, department, announcement in chosen:
            params = {
                "group": group,
                "open": policy == "open",
                "visibility": visibility,
                "department": department,
                "author": author,
                "announcement": announcement,
            }
            with transaction.atomic(), connection.cursor() as cursor:
                t0 = time.perf_counter()
                cursor.execute(FANOUT_SQL, {**params, "post": pk + 10**12})  # rolled back
                times.append(time.perf_counter() - t0)
                rows.append(cursor.rowcount)
                transaction.set_rollback(True)
        figures[kind] = {"posts": posts.count(), "times": times, "rows": rows}
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=run.SIZES, default="S")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--celebrity", type=int, default=1000, help="followers threshold")
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    run.generate(run.SIZES[args.size])
    agent, _group = run.measured_agent()
    celebrity_ids = celebrities(args.celebrity)
    followed_celebrities = set(
        agent.following.filter(followed_id__in=celebrity_ids).values_list("followed_id", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(INBOX_DDL)
    inbox_size = inbox_rows_for(agent, agent.pk)

    def assembled(cursor):
        from intranet.stream.selectors import home_feed

        return home_feed(agent, cursor=cursor)

    def inbox(cursor):
        return inbox_feed(agent, agent.pk, cursor)

    t0 = time.perf_counter()
    hybrid_size = inbox_rows_for(
        agent, -agent.pk, skip_authors=celebrity_ids, skip_announcements=True
    )
    fill_s = time.perf_counter() - t0

    def hybrid(cursor):
        return inbox_feed(
            agent,
            -agent.pk,
            cursor,
            merged_authors=followed_celebrities,
            merge_announcements=True,
        )

    strategies = {"assembled": assembled, "inbox": inbox, "hybrid": hybrid}
    times = read_figures(agent, strategies, args.requests, args.pairs)
    label = "-".join(part for part in ("strategy", args.label) if part)
    record = Run("stream", args.size, label=label, history=not args.no_history)
    for (name, page), values in sorted(times.items()):
        base = times["assembled", page]
        record.add(
            {
                "id": f"stream.strategy.read.{name}.p{page}",
                "size": args.size,
                "commit": record.commit,
                "date": record.date,
                "baseline": "assembled on read, same run",
                "p50_ms": percentile_ms(values, 0.5),
                "p95_ms": percentile_ms(values, 0.95),
                "ratio_to_assembled": round(statistics.median(base) / statistics.median(values), 3),
            }
        )
    for kind, f in write_figures(args.samples, celebrity_ids).items():
        rows = statistics.mean(f["rows"]) if f["rows"] else 0
        record.add(
            {
                "id": f"stream.strategy.write.{kind}",
                "size": args.size,
                "commit": record.commit,
                "date": record.date,
                "posts_of_this_kind": f["posts"],
                "fanout_p50_ms": percentile_ms(f["times"], 0.5),
                "fanout_p95_ms": percentile_ms(f["times"], 0.95),
                "inbox_rows_per_post": round(rows, 1),
                "inbox_rows_for_dataset": round(rows * f["posts"]),
            }
        )
    facts = {
        "inbox_rows_of_measured_agent": inbox_size,
        "hybrid_rows": hybrid_size,
        "hybrid_fill_s": round(fill_s, 2),
        "celebrities": len(celebrity_ids),
    }
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_inbox")
    record.finish(summary(record, facts), facts=facts)


def summary(record, facts) -> str:
    text = [
        f"# Feed strategies, size {record.size}, commit {record.commit}, {record.date}",
        "",
        "Measured agent: " + ", ".join(f"{k} {v:,}" for k, v in facts.items()),
        "",
        "| figure | p50 ms | p95 ms | ratio to assembled | inbox rows per post |",
        "|---|---|---|---|---|",
    ]
    for f in record.figures:
        p50, p95 = f.get("p50_ms", f.get("fanout_p50_ms")), f.get("p95_ms", f.get("fanout_p95_ms"))
        text.append(
            f"| {f['id']} | {p50} | {p95} | {f.get('ratio_to_assembled', '')} | "
            f"{f.get('inbox_rows_per_post', '')} |"
        )
    return "\n".join(text) + "\n"


if __name__ == "__main__":
    main()
