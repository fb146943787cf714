"""intranet.core.bulk.rows_insert against Django's bulk_create, on the tables it fills.

    .venv/bin/python bench/overrides/bulk.py                   # SQLite (a fresh file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_overrides \\
        .venv/bin/python bench/overrides/bulk.py               # PostgreSQL

The rows are what the callers hold: dicts of column values (a search queue of
IndexEntry, a department group's Membership rows, the directory's new User rows). The
baseline is the ORM: one instance per row, then bulk_create with the batch size that
was fastest for it on this database (a short scan first, so the ORM is not measured at a
batch size that handicaps it); the candidate is rows_insert at its callers' batch size.
Each insert runs in a transaction rolled back after it is timed, baseline and candidate
in turn (A B A B), after a warm-up of each. Figures: the median of the per-pair ratios
(candidate time / baseline time: below 1, rows_insert is faster) and their spread.
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import Run, add_result_arguments, setup_django, timed  # noqa: E402

BATCH_SIZES = (None, 500, 2000, 5000)  # bulk_create's candidates (None: Django's choice)


def _rolled_back(function):
    """Seconds function takes inside a transaction that is then rolled back."""
    from django.db import transaction

    with transaction.atomic():
        seconds = timed(function)
        transaction.set_rollback(True)
    return seconds


def tables(size: int) -> dict:
    """{name: (model, rows)}: the rows each caller of rows_insert hands it."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from intranet.accounts.models import User
    from intranet.groups.models import Group, Membership
    from intranet.search.models import IndexEntry

    agents = list(User.objects.order_by("pk").values_list("pk", flat=True)[:200])
    groups = list(Group.objects.order_by("pk").values_list("pk", flat=True))
    users = [
        {
            "username": f"bench.bulk.{n}",
            "first_name": f"Prénom{n % 700}",
            "last_name": f"Nom{n % 3000}",
            "email": f"bench.bulk.{n}@example.org",
            "source": "directory",
            "directory_dn": f"uid=bench.bulk.{n},ou=people,dc=example,dc=org",
            "directory_fields": {"title": f"Agent {n % 40}"},
            "title": f"Agent {n % 40}",
            "sort_name": f"nom{n % 3000} prénom{n % 700}",
            "is_active": True,
            "password": UNUSABLE_PASSWORD_PREFIX,
        }
        for n in range(size // 4)  # a directory's first sync, a quarter of the size
    ]
    return {
        "IndexEntry": (IndexEntry, [{"kind": "agent", "object_id": n} for n in range(size)]),
        "Membership": (
            Membership,
            [{"group_id": g, "agent_id": a} for g in groups for a in agents][:size],
        ),
        "User": (User, users),
    }


def seed(size: int) -> None:
    """200 agents and enough groups for `size` memberships (200 each), once."""
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX

    from intranet.accounts.models import User
    from intranet.groups.models import Group

    if User.objects.filter(username__startswith="bench.seed.").count() < 200:
        User.objects.bulk_create(
            [
                User(username=f"bench.seed.{n}", password=UNUSABLE_PASSWORD_PREFIX)
                for n in range(200)
            ],
            ignore_conflicts=True,
        )
    needed = -(-size // 200)
    have = Group.objects.filter(slug__startswith="bench-seed-").count()
    Group.objects.bulk_create(
        [
            Group(name=f"Bench {n}", slug=f"bench-seed-{n}", policy=Group.Policy.OPEN)
            for n in range(have, needed)
        ]
    )


def measure(model, rows, pairs: int):
    from intranet.core.bulk import rows_insert

    def orm(batch_size):
        return lambda: model.objects.bulk_create(
            [model(**row) for row in rows], batch_size=batch_size
        )

    scan = {size: min(_rolled_back(orm(size)) for _ in range(2)) for size in BATCH_SIZES}
    best = min(scan, key=scan.get)
    baseline, candidate = orm(best), lambda: rows_insert(model, rows)
    _rolled_back(baseline), _rolled_back(candidate)  # warm-up
    base, cand = [], []
    for _ in range(pairs):
        base.append(_rolled_back(baseline))
        cand.append(_rolled_back(candidate))
    return best, scan, base, cand


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000, help="rows (User: a quarter)")
    parser.add_argument("--pairs", type=int, default=7)
    add_result_arguments(parser)
    arguments = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):  # a fresh SQLite file with the site's settings
        os.environ["TRANSVERSE_VAR_DIR"] = tempfile.mkdtemp(prefix="transverse-bulk-")
    setup_django(postgres=False)
    from django.db import connection

    vendor = connection.vendor
    label = "-".join(filter(None, ["bulk", vendor, arguments.label]))
    run = Run("overrides", arguments.size, label=label, history=not arguments.no_history)
    seed(arguments.size)
    lines = [
        f"## bulk: rows_insert / bulk_create, {vendor}, {arguments.size} rows, "
        f"{arguments.pairs} pairs ({run.commit}, {run.date})",
        "",
        "| table | rows | bulk_create (batch) | rows_insert | ratio (median) | spread |",
        "|---|---|---|---|---|---|",
    ]
    for name, (model, rows) in tables(arguments.size).items():
        best, scan, base, cand = measure(model, rows, arguments.pairs)
        ratios = [c / b for b, c in zip(base, cand, strict=True)]
        figure = run.add(
            {
                "id": f"bulk_{name}_{vendor}",
                "size": len(rows),
                "unit": "s",
                "baseline": round(statistics.median(base), 4),
                "value": round(statistics.median(cand), 4),
                "ratio": round(statistics.median(ratios), 3),
                "spread": [round(min(ratios), 3), round(max(ratios), 3)],
                "baseline_batch_size": best,
                "batch_scan": {str(k): round(v, 4) for k, v in scan.items()},
                "commit": run.commit,
                "date": run.date,
            }
        )
        lines.append(
            f"| {name} | {len(rows):,} | {figure['baseline'] * 1000:.0f} ms ({best}) | "
            f"{figure['value'] * 1000:.0f} ms | {figure['ratio']} | "
            f"{figure['spread'][0]}-{figure['spread'][1]} |"
        )
    run.finish("\n".join(lines) + "\n", vendor=vendor)


if __name__ == "__main__":
    main()
