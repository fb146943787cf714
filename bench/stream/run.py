"""Feed benchmark on PostgreSQL: home and group feeds, page 1 and page 50.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_stream \\
        .venv/bin/python bench/stream/run.py --size L

Sizes: S (CI smoke: 500 agents, 50 groups, 20,000 posts, 60,000 comments and reactions),
M (10,000 agents, 500 groups, 100,000 posts, 300,000), L (10,000, 500, 1,000,000,
3,000,000: the size the issue names). Generation is seeded and bulk (COPY); it is kept
between runs and reused when the same size is asked again.

The measured agent is in 20 groups and follows 150 colleagues plus the 3 accounts that
everyone follows. Each figure is taken through Django's test client in this process
(server-side time: routing, access model, SQL, templates), interleaved with a bare
"hello" view (5 pairs x N requests), reported as p50/p95 and as requests/s relative to
hello. Queries per page are counted. EXPLAIN ANALYZE of the feed query goes beside the
JSON lines and the Markdown summary in bench/results/tmp/; the run is appended to
bench/results/stream-history.jsonl (bench/README.md).
"""

import argparse
import os
import random
import statistics
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    POST_COLUMNS,
    Run,
    add_result_arguments,
    copy_rows,
    explain_calls,
    interleaved,
    percentile_ms,
    setup_django,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
os.environ.setdefault("TRANSVERSE_DEMO", "true")

SIZES = {
    "S": {"agents": 500, "groups": 50, "posts": 20_000, "extras": 60_000},
    "M": {"agents": 10_000, "groups": 500, "posts": 100_000, "extras": 300_000},
    "L": {"agents": 10_000, "groups": 500, "posts": 1_000_000, "extras": 3_000_000},
}
SEED = 4242
WORDS = [
    *("réunion", "budget", "agent", "service", "usager", "marché", "numérique", "formation"),
    *("dossier", "projet", "commune", "région", "département", "équipe", "réseau", "données"),
    *("santé", "école", "transport"),
]


def generate(size: dict):
    from django.core.management import call_command
    from django.db import connection

    from intranet.accounts.models import User
    from intranet.groups.models import Group, Membership
    from intranet.stream.models import Follow, Post

    if Post.objects.exists():
        print(f"reusing {Post.objects.count():,} posts already generated")
        return
    rng = random.Random(SEED)
    call_command("seed_demo", agents=size["agents"], departments=50, seed=SEED, no_content=True)
    agents = list(User.objects.values_list("pk", "department_id"))
    agent_ids = [a for a, _ in agents]
    groups = [
        Group(
            name=f"Groupe {i}",
            slug=f"groupe-{i}",
            name_key=f"groupe {i}",
            policy=rng.choice(["open", "closed", "closed", "secret"]),
        )
        for i in range(size["groups"])
    ]
    Group.objects.bulk_create(groups, batch_size=1000)
    group_ids = list(Group.objects.values_list("pk", flat=True))
    memberships = {(rng.choice(group_ids), a) for a in agent_ids for _ in range(rng.randint(1, 6))}
    Membership.objects.bulk_create(
        [Membership(group_id=g, agent_id=a) for g, a in memberships], batch_size=5000
    )
    celebrities = agent_ids[:3]
    follows = {(a, c) for a in agent_ids for c in celebrities if a != c}
    follows |= {(a, rng.choice(agent_ids)) for a in agent_ids for _ in range(20)}
    Follow.objects.bulk_create(
        [Follow(follower_id=a, followed_id=b) for a, b in follows if a != b],
        batch_size=5000,
        ignore_conflicts=True,
    )
    dept_of = dict(agents)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    step = timedelta(days=700) / size["posts"]

    def posts():
        for i in range(size["posts"]):
            author = rng.choice(celebrities) if rng.random() < 0.02 else rng.choice(agent_ids)
            kind = rng.random()
            if kind < 0.7:
                visibility, group, department = "group", rng.choice(group_ids), None
            elif kind < 0.85:
                visibility, group, department = "department", None, dept_of[author]
            else:
                visibility, group, department = "organisation", None, None
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
            html = f"<p>{body}</p>"
            row = (author, visibility, group, department, body, html, "", rng.random() < 0.01)
            yield (*row, False, start + step * i, "", "", False)

    copy_rows("stream_post", POST_COLUMNS, posts(), size["posts"], "posts")
    low, high = (
        Post.objects.order_by("pk").values_list("pk", flat=True)[:1][0],
        Post.objects.order_by("-pk").values_list("pk", flat=True)[:1][0],
    )

    def comments():
        for _ in range(size["extras"] // 2):
            post, author = rng.randint(low, high), rng.choice(agent_ids)
            yield (post, author, "Bien vu", "<p>Bien vu</p>", start + timedelta(days=700), "")

    columns = ["post_id", "author_id", "body", "body_html", "created_at", "idempotency_key"]
    copy_rows("stream_comment", columns, comments(), size["extras"] // 2, "comments")
    seen = set()

    def reactions():
        while len(seen) < size["extras"] // 2:
            key = (
                rng.choice(agent_ids),
                rng.randint(low, high),
                rng.choice(["like", "thanks", "idea"]),
            )
            if key not in seen:
                seen.add(key)
                yield (*key, start + timedelta(days=700))

    columns = ["agent_id", "post_id", "kind", "created_at"]
    copy_rows("stream_reaction", columns, reactions(), size["extras"] // 2, "reactions")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measured_agent():
    """An agent in exactly 20 groups who follows 150 colleagues (plus the 3 celebrities)."""
    from django.db.models import Count

    from intranet.accounts.models import User
    from intranet.groups.models import Group, Membership
    from intranet.stream.models import Follow

    agent = User.objects.filter(is_superuser=False).order_by("pk")[10]
    Membership.objects.filter(agent=agent).delete()
    groups = list(Group.objects.order_by("pk").values_list("pk", flat=True)[:20])
    Membership.objects.bulk_create([Membership(group_id=g, agent=agent) for g in groups])
    Follow.objects.filter(follower=agent).delete()
    # The accounts everyone follows (the generator picked them), then 150 colleagues.
    celebrities = set(
        Follow.objects.values("followed_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("followed_id", flat=True)[:3]
    )
    others = User.objects.exclude(pk__in=[agent.pk, *celebrities]).order_by("pk")
    followed = celebrities | set(others.values_list("pk", flat=True)[:150])
    Follow.objects.bulk_create([Follow(follower=agent, followed_id=o) for o in followed])
    return agent, groups[0]


def cursor_for_page(agent, page: int, group=None):
    from intranet.stream.selectors import group_feed, home_feed

    cursor = None
    for _ in range(page - 1):
        feed = group_feed(agent, group, cursor=cursor) if group else home_feed(agent, cursor=cursor)
        cursor = feed.next_cursor
    return cursor


def explain_feed(agent, cursor) -> str:
    """EXPLAIN ANALYZE of the home feed's post query at `cursor`."""
    from intranet.stream.selectors import home_feed

    plans = explain_calls(
        lambda: home_feed(agent, cursor=cursor),
        keep=lambda sql: sql.startswith('SELECT "stream_post"."id"'),
    )
    sql, plan = plans[0]
    return f"{sql}\n\n{plan}\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=5)
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from django.test.utils import override_settings

    from intranet.groups.models import Group

    generate(SIZES[args.size])
    agent, group_id = measured_agent()
    group = Group.objects.get(pk=group_id)
    record = Run("stream", args.size, label=args.label, history=not args.no_history)
    record.write("-explain-page1.txt", explain_feed(agent, None))
    record.write("-explain-page50.txt", explain_feed(agent, cursor_for_page(agent, 50)))
    urls = {
        "home_p1": "/?fragment=1",
        "home_p50": f"/?fragment=1&after={cursor_for_page(agent, 50)}",
        "group_p1": f"/groups/{group.slug}/?fragment=1",
        "group_p50": f"/groups/{group.slug}/?fragment=1&after={cursor_for_page(agent, 50, group)}",
        "group_page_full": f"/groups/{group.slug}/",
    }
    with override_settings(ROOT_URLCONF="bench.stream.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(agent)

        def get(url):
            def call():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return call

        for name, url in urls.items():
            page_figure(record, name, get("/bench-hello/"), get(url), args.requests, args.pairs)
    record.finish(summary(record))


def page_figure(record, name, hello, page, requests, pairs) -> dict:
    times = interleaved(hello, page, calls=requests, pairs=pairs)
    ratios = [statistics.mean(base) / statistics.mean(page) for base, page in times.rounds]
    return record.add(
        {
            "id": f"stream.{name}",
            "size": record.size,
            "commit": record.commit,
            "date": record.date,
            "baseline": "hello view, same process",
            "baseline_p50_ms": percentile_ms(times.baseline, 0.5),
            "p50_ms": percentile_ms(times.candidate, 0.5),
            "p95_ms": percentile_ms(times.candidate, 0.95),
            "p99_ms": percentile_ms(times.candidate, 0.99),
            "queries": times.queries,
            "ratio_rps_vs_hello": round(statistics.median(ratios), 3),
            "ratio_spread": [round(min(ratios), 3), round(max(ratios), 3)],
        }
    )


def summary(record) -> str:
    text = [
        f"# Feed benchmark, size {record.size}, commit {record.commit}, {record.date}",
        "",
        "| page | p50 ms | p95 ms | queries | req/s vs hello (median, spread) |",
        "|---|---|---|---|---|",
    ]
    for line in record.figures:
        low, high = line["ratio_spread"]
        text.append(
            f"| {line['id']} | {line['p50_ms']} | {line['p95_ms']} | {line['queries']} | "
            f"{line['ratio_rps_vs_hello']} ({low}–{high}) |"
        )
    return "\n".join(text) + "\n"


if __name__ == "__main__":
    main()
