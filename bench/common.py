"""What every benchmark suite shares: the commit and date a run measures, percentiles,
timing with query counts, Django set-up on a database of the suite's own, bulk COPY,
EXPLAIN ANALYZE of the SQL a call runs, and where a run's output goes.

Results (bench/README.md): a run writes its raw figures (JSON lines, a Markdown table,
EXPLAIN plans) to bench/results/tmp/, which git ignores, and appends one line for the
whole run to bench/results/<suite>-history.jsonl (append-only, committed). The current
summary the docs quote, bench/results/<suite>.md, is edited by hand from a recorded run.
"""

import dataclasses
import datetime
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
RAW = RESULTS / "tmp"  # in .gitignore: raw runs are never committed


def commit() -> str:
    """The short hash measured: BENCH_COMMIT when run from an export of a commit (no .git)."""
    return (
        os.environ.get("BENCH_COMMIT")
        or subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )


def today() -> str:
    return datetime.datetime.now(datetime.UTC).date().isoformat()


# --- measuring ----------------------------------------------------------------------------
def percentile(values, fraction: float):
    """Nearest-rank percentile: the smallest value with `fraction` of the values at or
    below it (fraction 0.95 for p95). None when there are no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = math.ceil(fraction * len(ordered))
    return ordered[min(len(ordered) - 1, max(0, rank - 1))]


def percentile_ms(seconds, fraction: float):
    """percentile() of durations in seconds, in milliseconds to 2 decimals."""
    value = percentile(seconds, fraction)
    return None if value is None else round(value * 1000, 2)


def timed(function, *args, **kwargs) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - started


def timed_calls(function, calls: int) -> tuple[list[float], int]:
    """Seconds of each of `calls` calls, and the queries the last one ran.

    Counted with an execute wrapper rather than connection.queries: a request resets the
    query log, and the log stops at 9,000 queries.
    """
    from django.db import connection

    times, counted = [], []

    def count(execute, sql, params, many, context):
        counted.append(1)
        return execute(sql, params, many, context)

    for _ in range(calls):
        counted.clear()
        with connection.execute_wrapper(count):
            times.append(timed(function))
    return times, len(counted)


@dataclasses.dataclass
class Interleaved:
    """Times of an A B A B run: per pair, and all of each side."""

    rounds: list[tuple[list[float], list[float]]]  # (baseline times, candidate times)
    queries: int  # of the candidate's last call

    @property
    def baseline(self) -> list[float]:
        return [t for base, _cand in self.rounds for t in base]

    @property
    def candidate(self) -> list[float]:
        return [t for _base, cand in self.rounds for t in cand]


def interleaved(baseline, candidate, *, calls: int, pairs: int) -> Interleaved:
    """Baseline and candidate in turn (A B A B ...), `calls` calls each, after one warm-up
    round of each."""
    timed_calls(baseline, calls), timed_calls(candidate, calls)  # warm caches
    rounds, queries = [], 0
    for _ in range(pairs):
        base, _queries = timed_calls(baseline, calls)
        cand, queries = timed_calls(candidate, calls)
        rounds.append((base, cand))
    return Interleaved(rounds, queries)


# --- Django and PostgreSQL ----------------------------------------------------------------
def setup_django(*, postgres: bool = True, migrate: bool = True) -> None:
    """django.setup() on DATABASE_URL, migrated. A PostgreSQL database named in
    DATABASE_URL is created when missing; postgres: the suite needs PostgreSQL."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
    url = os.environ.get("DATABASE_URL", "")
    if postgres and not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is created if missing).")
    if url.startswith("postgres"):
        import psycopg

        server, name = url.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def copy_rows(table: str, columns: list[str], rows, total: int, label: str) -> None:
    """Rows into a PostgreSQL table through COPY, with a progress bar."""
    from django.db import connection
    from tqdm import tqdm

    with connection.cursor() as cursor, tqdm(total=total, unit="row", desc=label) as bar:
        raw = cursor.cursor  # psycopg's own cursor: Django's has no copy()
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                bar.update()


# The stream_post columns the feed and experts generators fill with COPY.
POST_COLUMNS = [
    *("author_id", "visibility", "group_id", "department_id", "body", "body_html", "image"),
    *("is_announcement", "requires_ack", "created_at", "idempotency_key"),
    *("image_alt", "image_decorative"),  # NOT NULL since the image's text alternative
]


def explain(sql: str, params=()) -> str:
    """The EXPLAIN (ANALYZE, BUFFERS) plan of one statement, as text."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def explain_calls(function, keep=lambda sql: True) -> list[tuple[str, str]]:
    """(sql, plan) of each statement a call runs that `keep` accepts; a statement that
    cannot be explained gives its error as plan (a figure lost, not the run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    plans = []
    for executed in captured.captured_queries:
        sql = executed["sql"]
        if sql.startswith("EXPLAIN") or not keep(sql):
            continue
        try:
            plans.append((sql, explain(sql)))
        except Exception as exc:  # reported in the plan's place
            plans.append((sql, f"EXPLAIN failed: {exc}"))
    return plans


# --- results ------------------------------------------------------------------------------
def add_result_arguments(parser) -> None:
    parser.add_argument("--label", default="", help="added to the raw files' names (run2...)")
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="do not append this run to bench/results/<suite>-history.jsonl (trial runs)",
    )


class Run:
    """One run of a suite: its raw files under bench/results/tmp/ and its history line.

    Figures are written as they come (a long run that fails late keeps them); finish()
    writes the Markdown summary and appends the run, figures included, to the history.
    """

    def __init__(self, suite: str, size, *, label: str = "", history: bool = True):
        self.suite, self.size, self.label, self.history = suite, str(size), label, history
        self.commit, self.date = commit(), today()
        self.figures: list[dict] = []
        self.files: list[Path] = []
        name = "-".join(part for part in (suite, self.size, self.date, label) if part)
        RAW.mkdir(parents=True, exist_ok=True)
        self.stem = RAW / name
        self.jsonl = self._file(".jsonl")
        self.jsonl.write_text("", encoding="utf-8")

    def _file(self, suffix: str) -> Path:
        path = self.stem.with_name(self.stem.name + suffix)
        if path not in self.files:
            self.files.append(path)
        return path

    def add(self, figure: dict, *, show: bool = True) -> dict:
        self.figures.append(figure)
        line = json.dumps(figure, ensure_ascii=False)
        with self.jsonl.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        if show:
            print(line, flush=True)
        return figure

    def write(self, suffix: str, text: str) -> Path:
        """A raw file beside the figures (EXPLAIN plans: suffix "-explain-page1.txt")."""
        path = self._file(suffix)
        path.write_text(text, encoding="utf-8")
        return path

    def finish(self, summary: str, **extra) -> None:
        """Write the Markdown summary, print it, and append the run to the history (with
        `extra`, facts of the run such as the data set's counts)."""
        self.write(".md", summary)
        print(summary, flush=True)
        history = RESULTS / f"{self.suite}-history.jsonl"
        if self.history:
            line = {
                "date": self.date,
                "commit": self.commit,
                "size": self.size,
                "label": self.label,
                "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
                **extra,
                "figures": [
                    {k: v for k, v in f.items() if k not in ("commit", "date")}
                    for f in self.figures
                ],
            }
            with history.open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        print(f"raw files: {', '.join(_shown(p) for p in self.files)}", flush=True)
        if self.history:
            print(
                f"appended to {_shown(history)}; update {_shown(RESULTS / self.suite)}.md by "
                "hand if the docs should quote this run",
                flush=True,
            )


def _shown(path: Path) -> str:
    """A path as the docs name it: from the repository's root when it lies inside."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
