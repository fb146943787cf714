"""Wiki page view and diff benchmark on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_wiki \\
        .venv/bin/python bench/wiki/run.py --size L

L is the issue's size: a group of 2,000 members with 500 wiki pages of 20 versions each
(pages of about 4,000 characters with [[links]] to other pages, a tree three levels
deep). S (a smoke run): 200 members, 50 pages of 5 versions. Generation is seeded and
bulk, kept between runs and reused.

Each figure interleaves a bare "hello" view and the page (5 pairs x N calls) through
Django's test client, signed in as a member: the page view (Markdown, [[links]],
breadcrumb, sub-pages, group header and tabs) and the diff of the two last versions.
p50/p95/p99, the median ratio and the queries per call go to bench/results/tmp/ and the
run to bench/results/wiki-history.jsonl (bench/README.md).
"""

import argparse
import os
import random
import statistics
import sys
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
os.environ.setdefault("TRANSVERSE_DEMO", "true")

SIZES = {
    "S": {"members": 200, "pages": 50, "versions": 5},
    "L": {"members": 2_000, "pages": 500, "versions": 20},
}
SEED = 1919
WORDS = [
    "formation",
    "agent",
    "outil",
    "accueil",
    "usager",
    "procédure",
    "réunion",
    "service",
    "équipe",
    "changement",
]


def paragraph(rng) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(60)) + "."


def generate(size: dict) -> None:
    from intranet.accounts.models import User
    from intranet.groups.models import Group, GroupTool, Membership
    from intranet.wiki.models import WikiPage, WikiVersion
    from intranet.wiki.rendering import title_key

    if Group.objects.filter(slug="bench-wiki").exists():
        return
    rng = random.Random(SEED)
    owner = User.objects.create(username="wiki-owner", first_name="Owner")
    group = Group.objects.create(
        name="Bench wiki", slug="bench-wiki", policy="closed", created_by=owner
    )
    GroupTool.objects.create(group=group, key="wiki")
    agents = User.objects.bulk_create(
        [
            User(username=f"wiki-agent-{n}", first_name="Agent", last_name=str(n))
            for n in range(size["members"])
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(group=group, agent=owner, role="owner")]
        + [Membership(group=group, agent=a) for a in agents],
        batch_size=1000,
    )
    pages = []
    for n in range(size["pages"]):
        title = f"Page {n} {rng.choice(WORDS)}"
        pages.append(
            WikiPage(
                group=group,
                title=title,
                title_key=title_key(title),
                slug=f"page-{n}",
                version=size["versions"],
                created_by=owner,
                updated_by=owner,
            )
        )
    WikiPage.objects.bulk_create(pages, batch_size=500)
    pages = list(WikiPage.objects.filter(group=group).order_by("pk"))
    for n, page in enumerate(pages):
        page.parent_id = pages[(n - 1) // 3].pk if n else None  # a tree: each page has 3 children
    WikiPage.objects.bulk_update(pages, ["parent"], batch_size=500)
    versions = []
    for page in pages:
        lines = [f"# {page.title}", ""] + [paragraph(rng) + "\n" for _ in range(8)]
        lines.append(" ".join(f"[[{rng.choice(pages).title}]]" for _ in range(10)))
        for number in range(1, size["versions"] + 1):
            lines[rng.randrange(2, 10)] = paragraph(rng) + "\n"
            versions.append(
                WikiVersion(
                    page=page, number=number, title=page.title, body="\n".join(lines), author=owner
                )
            )
        page.body = "\n".join(lines)
    WikiVersion.objects.bulk_create(versions, batch_size=2000)
    WikiPage.objects.bulk_update(pages, ["body"], batch_size=200)


def measure(record, name, baseline, candidate, *, calls, pairs):
    times = interleaved(baseline, candidate, calls=calls, pairs=pairs)
    ratios = [statistics.median(cand) / statistics.median(base) for base, cand in times.rounds]
    return record.add(
        {
            "id": f"wiki.{name}",
            "size": record.size,
            "commit": record.commit,
            "date": record.date,
            "baseline": "bare hello view",
            "baseline_p50_ms": percentile_ms(times.baseline, 0.5),
            "p50_ms": percentile_ms(times.candidate, 0.5),
            "p95_ms": percentile_ms(times.candidate, 0.95),
            "p99_ms": percentile_ms(times.candidate, 0.99),
            "queries": times.queries,
            "ratio": round(statistics.median(ratios), 2),
            "ratio_spread": [round(min(ratios), 2), round(max(ratios), 2)],
        }
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--calls", type=int, default=20, help="calls per half-pair")
    parser.add_argument("--pairs", type=int, default=5)
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django()
    generate(SIZES[args.size])

    from django.test import Client
    from django.test.utils import override_settings

    from intranet.accounts.models import User
    from intranet.wiki.models import WikiPage

    member = User.objects.get(username="wiki-agent-1")
    page = (
        WikiPage.objects.filter(group__slug="bench-wiki", children__isnull=False)
        .order_by("-pk")
        .first()
    )
    record = Run("wiki", args.size, label=args.label, history=not args.no_history)
    facts = {
        "pages": WikiPage.objects.filter(group__slug="bench-wiki").count(),
        "versions_per_page": page.version,
        "body_chars": len(page.body),
    }
    print(facts, flush=True)
    with override_settings(ROOT_URLCONF="bench.wiki.urls", ALLOWED_HOSTS=["testserver"]):
        client = Client()
        client.force_login(member)

        def get(url):
            def call():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return call

        hello = get("/bench-hello/")
        base = f"/groups/bench-wiki/wiki/{page.slug}/"
        last = page.version
        measure(record, "page_view", hello, get(base), calls=args.calls, pairs=args.pairs)
        measure(
            record,
            "diff",
            hello,
            get(f"{base}diff/?from={last - 1}&to={last}"),
            calls=args.calls,
            pairs=args.pairs,
        )
        measure(
            record, "history", hello, get(f"{base}history/"), calls=args.calls, pairs=args.pairs
        )
        measure(
            record,
            "contents",
            hello,
            get("/groups/bench-wiki/wiki/"),
            calls=args.calls,
            pairs=args.pairs,
        )
    lines = [
        "| figure | p50 ms | p95 ms | p99 ms | queries | ratio to hello |",
        "|---|---|---|---|---|---|",
    ]
    for f in record.figures:
        cells = [f["id"], f["p50_ms"], f["p95_ms"], f["p99_ms"], f["queries"], f["ratio"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    record.finish("\n".join(lines) + "\n", **facts)


if __name__ == "__main__":
    main()
