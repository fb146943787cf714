"""Search benchmark: our Whoosh, Tantivy and PostgreSQL engines against raw Tantivy.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench \\
        .venv/bin/python bench/search/run.py --size 100000

Data: seeded French-like words with Zipf frequencies; 70 % of items in one of 2,000 groups
(10 % open), 10 % for one of 50 departments, 20 % for everyone. Queries run as an agent
in 20 groups (the permission filter is part of every query), interleaved engine by engine
(raw Tantivy, Whoosh, PostgreSQL, our Tantivy engine, raw Tantivy, ...), and each figure is
also given as a ratio to raw Tantivy (the baseline: Tantivy with no Django, no facets, no
re-check) measured in the same run. `--engines` picks which of our engines run; with
PostgreSQL, the EXPLAIN ANALYZE of one frequent-term query is saved beside the results.
One JSON line per figure goes to bench/results/tmp/, with a Markdown summary, and the run
to bench/results/search-history.jsonl (bench/README.md).
"""

import argparse
import itertools
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import (  # noqa: E402
    Run,
    add_result_arguments,
    explain_calls,
    percentile,
    setup_django,
    timed,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")

SEED = 20260
GROUPS, OPEN_SHARE, DEPARTMENTS = 2000, 0.10, 50
ONSETS = [
    *("b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "gr", "pr", "tr"),
    *("br", "cl", "pl", "qu", "j"),
]
VOWELS = ["a", "e", "i", "o", "u", "é", "è", "ou", "au", "ai", "eu", "on", "an", "in"]
CODAS = ["", "", "", "n", "r", "s", "t", "l", "x", "nt", "que", "ment", "tion", "age"]


def vocabulary(rng, size=30_000) -> list[str]:
    words, seen = [], set()
    while len(words) < size:
        word = "".join(
            rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.choice((1, 2, 2, 3)))
        ) + rng.choice(CODAS)
        if word not in seen and len(word) > 2:
            seen.add(word)
            words.append(word)
    return words


def corpus(size: int):
    """Deterministic items: (pk, text, acl, group, department, created)."""
    rng = random.Random(SEED)
    words = vocabulary(rng)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(len(words))))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    items = []
    for pk in range(1, size + 1):
        length = rng.randint(12, 60)
        text = " ".join(rng.choices(words, cum_weights=cumulative, k=length))
        roll = rng.random()
        group = department = None
        if roll < 0.7:
            group = rng.randint(1, GROUPS)
            acl = (f"g:{group}",)
        elif roll < 0.8:
            department = rng.randint(1, DEPARTMENTS)
            acl = (f"d:{department}", f"a:{rng.randint(1, 5000)}")
        else:
            acl = ("all",)
        created = start + timedelta(minutes=pk)
        items.append((pk, text, acl, group, department, created))
    return words, items


def actor_tokens(rng) -> frozenset[str]:
    members = rng.sample(range(1, GROUPS + 1), 20)
    opened = range(1, int(GROUPS * OPEN_SHARE) + 1)  # groups 1..200 are open
    return frozenset(["all", "a:1", "d:1", "d:2"] + [f"g:{g}" for g in {*members, *opened}])


def queries(words, items, rng, per_kind: int):
    rare = words[20_000:29_000]
    medium = words[400:1_500]
    frequent = words[3:40]
    phrases = []
    for _ in range(per_kind):
        text = rng.choice(items)[1].split()
        i = rng.randrange(len(text) - 1)
        phrases.append(f'"{text[i]} {text[i + 1]}"')
    return {
        "rare": [rng.choice(rare) for _ in range(per_kind)],
        "medium": [rng.choice(medium) for _ in range(per_kind)],
        "frequent": [rng.choice(frequent) for _ in range(per_kind)],
        "two_terms": [f"{rng.choice(medium)} {rng.choice(frequent)}" for _ in range(per_kind)],
        "phrase": phrases,
    }


# --- engines -------------------------------------------------------------------------------
def documents(items):
    from intranet.search.registry import Document

    for pk, text, acl, group, department, created in items:
        yield Document(
            kind="post",
            pk=pk,
            title="",
            body=text,
            acl=acl,
            author_id=pk % 5000 + 1,
            group_id=group,
            department_id=department,
            created_at=created,
        ).with_digest()


class TantivyReference:
    name = "tantivy_raw"

    def __init__(self, path):
        import tantivy

        self.t = tantivy
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stopword("french"))
            .filter(tantivy.Filter.stemmer("french"))
            .build()
        )
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("key", stored=True, tokenizer_name="raw")
        builder.add_text_field("acl", tokenizer_name="raw")
        builder.add_text_field("body", tokenizer_name="fr", index_option="position")
        builder.add_date_field("created", fast=True)
        self.schema = builder.build()
        self.index = tantivy.Index(self.schema, path=str(path))
        self.index.register_tokenizer("fr", analyzer)
        self.path = path

    def bulk(self, items) -> None:
        writer = self.index.writer(heap_size=256_000_000, num_threads=1)
        for pk, text, acl, _g, _d, created in items:
            doc = self.t.Document(key=f"post:{pk}", body=text, created=created)
            for token in acl:
                doc.add_text("acl", token)
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()

    def search(self, q: str, tokens) -> int:
        t = self.t
        text_query = self.index.parse_query(q, ["body"], conjunction_by_default=True)
        acl = t.Query.term_set_query(self.schema, "acl", sorted(tokens))
        query = t.Query.boolean_query([(t.Occur.Must, text_query), (t.Occur.Must, acl)])
        result = self.index.searcher().search(query, limit=20, count=True)
        [self.index.searcher().doc(address)["key"] for _score, address in result.hits]
        return result.count

    def size(self) -> int:
        return sum(p.stat().st_size for p in Path(self.path).rglob("*") if p.is_file())


def ours(engine, tokens, facets: bool):
    from intranet.search.engines import EngineQuery
    from intranet.search.query import parse

    def run(q: str) -> int:
        query = EngineQuery(clauses=parse(q).clauses, tokens=tokens, facets=facets)
        return engine.search(query).total

    return run


def make_engine(name: str, workdir: Path):
    if name == "whoosh":
        from intranet.search.engines.whoosh_engine import WhooshEngine

        return WhooshEngine(str(workdir / "whoosh"))
    if name == "tantivy":
        from intranet.search.engines.tantivy_engine import TantivyEngine

        return TantivyEngine(str(workdir / "tantivy-engine"))
    from intranet.search.engines.postgres_engine import PostgresEngine

    return PostgresEngine()


def explain_frequent(engine, tokens, q: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the SQL the PostgreSQL engine runs for q, with facets,
    less its own frequency probe."""
    ours(engine, tokens, facets=True)(q)  # warm
    plans = explain_calls(
        lambda: ours(engine, tokens, facets=True)(q), keep=lambda sql: "reltuples" not in sql
    )
    return "\n\n".join([f"-- query: {q}"] + [f"{sql}\n{plan}" for sql, plan in plans]) + "\n"


# --- measuring -----------------------------------------------------------------------------
def lag_under_posters(engine_name: str, index_dir: Path, posters=20, each=10) -> list[float]:
    """Seconds from commit to searchable (entry done) with 20 concurrent posters."""
    from django.conf import settings
    from django.db import connection

    from intranet.accounts.models import User
    from intranet.search.indexer import drain
    from intranet.search.models import IndexEntry
    from intranet.stream.services import posts

    settings.TRANSVERSE_SEARCH_ENGINE = engine_name
    settings.TRANSVERSE_SEARCH_INDEX_DIR = index_dir
    agents = [User.objects.get_or_create(username=f"bench-poster-{i}")[0] for i in range(posters)]
    drain(lock_timeout=30)
    first = (IndexEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    stop = threading.Event()

    def indexer():
        while not stop.is_set():
            drain(lock_timeout=0.5)
            time.sleep(0.05)
        connection.close()

    def post(agent):
        for i in range(each):
            posts.post_create(agent, body=f"bench lag {i}", visibility="organisation")
        connection.close()

    loop = threading.Thread(target=indexer)
    loop.start()
    threads = [threading.Thread(target=post, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + 60
    while IndexEntry.objects.filter(id__gte=first, done_at__isnull=True).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    stop.set()
    loop.join()
    rows = IndexEntry.objects.filter(id__gte=first, kind="post").values_list(
        "created_at", "done_at"
    )
    return [(done - created).total_seconds() for created, done in rows if done]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=30, help="queries per kind")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--engines", default="whoosh,postgres,tantivy", help="our engines to measure (comma list)"
    )
    add_result_arguments(parser)
    args = parser.parse_args()
    setup_django(postgres=False, migrate=False)
    from django.core.management import call_command
    from django.db import connection

    use_pg = connection.vendor == "postgresql" and not args.no_postgres
    if use_pg:
        call_command("migrate", verbosity=0)
    this_run = Run("search", args.size, label=args.label, history=not args.no_history)
    workdir = Path(tempfile.mkdtemp(prefix="search-bench-"))
    rng = random.Random(SEED + 1)

    def record(fid, value, baseline=None, unit="", **extra):
        ratio = round(value / baseline, 2) if baseline else None
        this_run.add(
            {
                "id": fid,
                "size": args.size,
                "value": value,
                "baseline": baseline,
                "ratio": ratio,
                "unit": unit,
                "commit": this_run.commit,
                "date": this_run.date,
                **extra,
            }
        )

    print(f"generating {args.size} items ...", flush=True)
    words, items = corpus(args.size)

    engines = {}
    (workdir / "tantivy").mkdir(exist_ok=True)
    tantivy_ref = TantivyReference(workdir / "tantivy")
    start = time.perf_counter()
    tantivy_ref.bulk(items)
    t_rate = args.size / (time.perf_counter() - start)
    record("index_rate.tantivy_raw", round(t_rate), unit="items/s")
    record("index_size.tantivy_raw", tantivy_ref.size(), unit="bytes")

    chosen = [name.strip() for name in args.engines.split(",") if name.strip()]
    use_pg = use_pg and "postgres" in chosen
    for name in chosen:
        if name == "postgres" and not use_pg:
            continue
        engine = make_engine(name, workdir)
        start = time.perf_counter()
        engine.rebuild(documents(items), catch_up=lambda write: None)
        rate = args.size / (time.perf_counter() - start)
        record(f"index_rate.{name}", round(rate), round(t_rate), unit="items/s")
        record(f"index_size.{name}", engine.size_bytes(), tantivy_ref.size(), unit="bytes")
        engines[name] = engine

    tokens = actor_tokens(rng)
    runners = {"tantivy_raw": lambda q: tantivy_ref.search(q, tokens)}
    for name, engine in engines.items():
        runners[name] = ours(engine, tokens, facets=False)
        runners[f"{name}+facets"] = ours(engine, tokens, facets=True)
    for kind, qs in queries(words, items, rng, args.queries).items():
        for q in qs[:3]:  # warm caches
            for run in runners.values():
                run(q)
        times = {name: [] for name in runners}
        for q in qs:  # interleaved: every engine on the same query in turn
            for name, run in runners.items():
                times[name].append(timed(run, q) * 1000)
        base = times["tantivy_raw"]
        for name, values in times.items():
            ratios = [v / b for v, b in zip(values, base, strict=True) if b > 0]
            record(
                f"query.{kind}.{name}",
                round(statistics.median(values), 2),
                round(statistics.median(base), 2),
                unit="ms",
                p50=round(percentile(values, 0.5), 2),
                p95=round(percentile(values, 0.95), 2),
                p99=round(percentile(values, 0.99), 2),
                ratio_median=round(statistics.median(ratios), 1) if ratios else None,
                ratio_p25=round(percentile(ratios, 0.25), 1) if ratios else None,
                ratio_p75=round(percentile(ratios, 0.75), 1) if ratios else None,
            )

    if use_pg:
        frequent = queries(words, items, rng, 1)["frequent"][0]
        this_run.write(
            "-explain-frequent.txt", explain_frequent(engines["postgres"], tokens, frequent)
        )
        for name in engines:
            lags = lag_under_posters(name, workdir / f"lag-{name}")
            if lags:
                record(
                    f"lag.{name}",
                    round(statistics.median(lags), 3),
                    unit="s",
                    p50=round(percentile(lags, 0.5), 3),
                    p95=round(percentile(lags, 0.95), 3),
                    p99=round(percentile(lags, 0.99), 3),
                    n=len(lags),
                )

    lines = [
        f"# Search benchmark, {args.size:,} items ({this_run.date}, commit {this_run.commit})",
        "",
        "| figure | value | raw Tantivy (baseline) | ratio | p50 | p95 |",
        "|---|---|---|---|---|---|",
    ]
    for f in this_run.figures:
        ratio = f.get("ratio_median") or f["ratio"] or ""
        lines.append(
            f"| {f['id']} | {f['value']} {f['unit']} | {f['baseline'] or ''} | {ratio} | "
            f"{f.get('p50', '')} | {f.get('p95', '')} |"
        )
    this_run.finish("\n".join(lines) + "\n")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
