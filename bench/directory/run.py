"""Directory benchmark: sync and sign-in against a real slapd, beside bare ldap3 baselines.

    .venv/bin/python -m bench.directory.run --size 50000 --pairs 5        # M, by hand
    .venv/bin/python -m bench.directory.run --size 2000 --pairs 3 --no-history  # S, quick

Generates a seeded LDIF (bench/directory/generate.py), loads it into a private slapd
(pinned to CPU 1, this process to CPU 0), uses a private SQLite database (reset by
file copy between runs), and measures, interleaving baseline and candidate (A B A B ...):

- full first sync vs a bare ldap3 paged fetch of the same entries and attributes;
- no-change re-sync vs the same bare fetch;
- incremental sync of 1 % changed entries vs a bare fetch with the same filter;
- peak memory (VmHWM of a process doing only a first sync vs one doing only the fetch);
- sign-in: DirectoryBackend.authenticate vs bare ldap3 bind + search + bind (a new
  connection each time, as the issue defines it) and, for reference, vs the same search
  and bind on kept connections; ratios are medians of per-block ratios (blocks of 20
  interleaved sign-ins, order alternating). And the whole POST /accounts/login/ (Django
  test client) p95 beyond the bare directory time.

Prints one JSON line per figure and a Markdown summary; writes both to bench/results/tmp/
and appends the run to bench/results/directory-history.jsonl (bench/README.md).
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    Run,
    add_result_arguments,
    percentile,
    setup_django,
    timed,
)
from bench.directory.generate import PASSWORD, agent_uid, generate  # noqa: E402
from tests.directory.slapd import (  # noqa: E402
    ROOT_DN,
    ROOT_PASSWORD,
    SERVICE_DN,
    SERVICE_PASSWORD,
    USER_BASE,
    Slapd,
)

PAGE_SIZE = 500


def environment(workdir: Path, url: str) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "intranet.settings",
        "TRANSVERSE_VAR_DIR": str(workdir / "var"),
        "TRANSVERSE_LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver,localhost",
        "TRANSVERSE_LDAP_URL": url,
        "TRANSVERSE_LDAP_BIND_DN": SERVICE_DN,
        "TRANSVERSE_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "TRANSVERSE_LDAP_USER_BASE": USER_BASE,
        "TRANSVERSE_LDAP_PAGE_SIZE": str(PAGE_SIZE),
        "TRANSVERSE_LDAP_SYNC_INTERVAL": "0",  # no periodic task queued by migrate
    }
    os.environ.pop("DATABASE_URL", None)  # a private SQLite database, reset by file copy
    os.environ.update(env)
    return env


# --- baselines: ldap3 alone -----------------------------------------------------------


def bare_connection():
    from ldap3 import NONE, Connection, Server

    url = os.environ["TRANSVERSE_LDAP_URL"]
    host, port = url.removeprefix("ldap://").split(":")
    conn = Connection(
        Server(host, port=int(port), get_info=NONE, connect_timeout=3),
        SERVICE_DN,
        SERVICE_PASSWORD,
        receive_timeout=10,
        read_only=True,
        check_names=False,
        return_empty_attributes=False,
    )
    conn.open(read_server_info=False)
    conn.bind(read_server_info=False)
    return conn


def bare_fetch(search_filter: str | None = None) -> int:
    """Every agent entry with the attributes the sync reads, paged, nothing else."""
    from ldap3.extend.standard.PagedSearch import paged_search_generator

    from intranet.directory.config import directory_config

    config = directory_config()
    conn = bare_connection()
    count = 0
    for item in paged_search_generator(
        conn,
        USER_BASE,
        search_filter or config.sync_filter,
        attributes=config.user_attributes(),
        paged_size=PAGE_SIZE,
    ):
        if item.get("type") == "searchResEntry":
            count += 1
            _ = item["raw_attributes"]
    conn.unbind()
    return count


def bare_sign_in(uid: str) -> bool:
    """Service bind, search, bind as the agent: the directory's own work at sign-in."""
    from ldap3 import SIMPLE

    conn = bare_connection()
    conn.search(USER_BASE, f"(uid={uid})", attributes=["uid"], size_limit=2)
    dn = conn.response[0]["dn"]
    conn.user, conn.password, conn.authentication = dn, PASSWORD, SIMPLE
    ok = conn.bind(read_server_info=False)
    conn.unbind()
    return ok


# --- candidates -----------------------------------------------------------------------


def reset_database(media: Path) -> None:
    """Back to the freshly migrated database (a copy of the SQLite file) and no photos."""
    from django.db import connection

    connection.close()
    database = Path(connection.settings_dict["NAME"])
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(database.with_suffix(".pristine"), database)
    shutil.rmtree(media / "photos", ignore_errors=True)


def keep_pristine_database() -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        sys.exit("The directory benchmark resets its database by file copy: SQLite only.")
    connection.close()
    database = Path(connection.settings_dict["NAME"])
    shutil.copyfile(database, database.with_suffix(".pristine"))


def figure(fid, size, baseline, values, baselines, unit="s", ratios=None):
    ratios = ratios or [v / b for v, b in zip(values, baselines, strict=True)]
    return {
        "id": fid,
        "size": size,
        "baseline": baseline,
        "value": round(statistics.median(values), 4),
        "baseline_value": round(statistics.median(baselines), 4),
        "unit": unit,
        "ratio": round(statistics.median(ratios), 3),
        "ratio_min": round(min(ratios), 3),
        "ratio_max": round(max(ratios), 3),
        "p50": round(percentile(values, 0.50), 4),
        "p95": round(percentile(values, 0.95), 4),
        "p99": round(percentile(values, 0.99), 4),
        "samples": len(values),
    }


def bench_full_and_resync(size, pairs, media):
    from intranet.directory.services.sync import directory_sync

    full, full_base, resync, resync_base = [], [], [], []
    for _pair in range(pairs):
        reset_database(media)
        full_base.append(timed(bare_fetch))
        full.append(timed(directory_sync))
    for _pair in range(pairs):
        resync_base.append(timed(bare_fetch))
        resync.append(timed(directory_sync))
    return [
        figure("directory.sync.full", size, "bare ldap3 paged fetch", full, full_base),
        figure("directory.sync.unchanged", size, "bare ldap3 paged fetch", resync, resync_base),
    ]


def modify_entries(server, uids, round_number):
    from ldap3 import MODIFY_REPLACE, Connection, Server

    conn = Connection(Server(server.url), ROOT_DN, ROOT_PASSWORD)
    conn.bind()
    for uid in uids:
        conn.search(USER_BASE, f"(uid={uid})", attributes=["uid"])
        dn = conn.response[0]["dn"]
        conn.modify(dn, {"title": [(MODIFY_REPLACE, [f"Titre révisé {round_number}"])]})
    conn.unbind()


def bench_incremental(server, size, pairs):
    from intranet.directory.models import SyncRun
    from intranet.directory.selectors import last_successful_run
    from intranet.directory.services.sync import (
        INCREMENTAL_MARGIN,
        directory_sync,
        incremental_since,
    )

    rng = random.Random(7)
    values, baselines, read_counts = [], [], []
    changed = max(1, size // 100)
    for round_number in range(pairs):
        # Let the previous run's re-read window pass, so each round reads only its changes.
        time.sleep(INCREMENTAL_MARGIN.total_seconds() + 2)
        uids = [agent_uid(i) for i in rng.sample(range(size), changed)]
        modify_entries(server, uids, round_number)
        since = incremental_since(last_successful_run())
        search_filter = f"(&(objectClass=inetOrgPerson)(modifyTimestamp>={since}))"
        baselines.append(timed(bare_fetch, search_filter))
        values.append(timed(directory_sync, mode=SyncRun.Mode.INCREMENTAL))
        run = SyncRun.objects.order_by("-pk").first()
        read_counts.append(run.counts.get("read", 0))
        assert run.mode == SyncRun.Mode.INCREMENTAL and run.counts.get("updated", 0) >= changed
    result = figure(
        "directory.sync.incremental_1pct",
        size,
        "bare ldap3 fetch, same filter",
        values,
        baselines,
    )
    result["entries_read_median"] = statistics.median(read_counts)
    return [result]


def probe(kind: str) -> None:
    """Run in a child process: one full sync (on an empty database) or one bare fetch."""
    import django

    django.setup()
    if kind == "sync":
        from intranet.directory.services.sync import directory_sync

        directory_sync()
    else:
        bare_fetch()
    # VmHWM, not getrusage: ru_maxrss is inherited from the parent across fork and exec.
    status = Path("/proc/self/status").read_text()
    print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def bench_memory(size, media, pairs):
    values, baselines = [], []
    for _pair in range(min(pairs, 3)):
        reset_database(media)
        for kind, bucket in (("fetch", baselines), ("sync", values)):
            out = subprocess.run(
                [sys.executable, "-m", "bench.directory.run", "--probe", kind],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            bucket.append(int(out.stdout.strip().splitlines()[-1]) / 1024)
    return [
        figure(
            "directory.sync.peak_rss",
            size,
            "bare ldap3 paged fetch process",
            values,
            baselines,
            unit="MiB",
        )
    ]


class KeptBare:
    """The bare baseline on kept connections: a service-bound one for the search, another
    only for the agents' binds (what intranet.directory.kept does, without Transverse)."""

    def __init__(self):
        self.searcher = bare_connection()
        self.checker = bare_connection()

    def sign_in(self, uid: str) -> bool:
        from ldap3 import SIMPLE

        self.searcher.search(USER_BASE, f"(uid={uid})", attributes=["uid"], size_limit=2)
        dn = self.searcher.response[0]["dn"]
        self.checker.user, self.checker.password = dn, PASSWORD
        self.checker.authentication = SIMPLE
        return self.checker.bind(read_server_info=False)

    def close(self):
        self.searcher.unbind()
        self.checker.unbind()


def block_ratios(values, baselines, block):
    """sum(candidate) / sum(baseline) per block of consecutive interleaved samples."""
    return [
        sum(values[i : i + block]) / sum(baselines[i : i + block])
        for i in range(0, len(values) - block + 1, block)
    ]


def bench_sign_in(size, samples, block=20):
    """Sign-ins interleaved in blocks (A B, then B A, ...); the ratio is the median of
    per-block ratios, which single-sample noise (a scheduler hiccup) cannot swing."""
    from django.test import Client

    from intranet.directory.backend import DirectoryBackend

    rng = random.Random(11)
    backend = DirectoryBackend()
    kept_bare = KeptBare()
    samples = max(block, samples - samples % block)
    uids = [agent_uid(i) for i in rng.sample(range(size), min(size, samples))]
    for uid in uids[:10]:  # warm up (imports, first queries, kept connections)
        backend.authenticate(None, username=uid, password=PASSWORD)
        kept_bare.sign_in(uid)

    def ours_one(uid):
        assert backend.authenticate(None, username=uid, password=PASSWORD) is not None

    ours, bare, kept = [], [], []
    for index, uid in enumerate(uids):
        steps = [(bare, bare_sign_in), (ours, ours_one), (kept, kept_bare.sign_in)]
        if (index // block) % 2:
            steps.reverse()
        for bucket, function in steps:
            bucket.append(timed(function, uid))
    kept_bare.close()
    posts = []
    client = Client()
    for uid in uids:
        client.cookies.clear()
        started = time.perf_counter()
        response = client.post("/accounts/login/", {"username": uid, "password": PASSWORD})
        posts.append(time.perf_counter() - started)
        assert response.status_code == 302, response.status_code
    bare_label = "bare ldap3 bind+search+bind"
    backend_figure = figure(
        "directory.signin.backend",
        size,
        bare_label,
        ours,
        bare,
        ratios=block_ratios(ours, bare, block),
    )
    kept_figure = figure(
        "directory.signin.backend_vs_kept_bare",
        size,
        "bare ldap3 search+bind on kept connections",
        ours,
        kept,
        ratios=block_ratios(ours, kept, block),
    )
    beyond = [p - statistics.median(bare) for p in posts]
    bare_median = [statistics.median(bare)] * len(posts)
    post_figure = figure("directory.signin.post", size, bare_label, posts, bare_median)
    post_figure["p95_beyond_directory_ms"] = round(
        (percentile(posts, 0.95) - percentile(bare, 0.95)) * 1000, 2
    )
    post_figure["median_beyond_directory_ms"] = round(statistics.median(beyond) * 1000, 2)
    return [backend_figure, kept_figure, post_figure]


def summary(figures, info) -> str:
    lines = [
        f"# Directory benchmark, {info['size']} entries ({info['date']}, commit {info['commit']})",
        "",
        f"slapd load: {info['load_s']:.1f} s for {info['size']} agents in {info['units']} units; "
        f"database: {info['database']}; CPUs pinned: {info['pinned']}.",
        "",
        "| figure | value (median) | baseline (median) | ratio (min–max) | p95 | target |",
        "|---|---|---|---|---|---|",
    ]
    targets = {
        "directory.sync.full": "≤ 2 × fetch",
        "directory.sync.unchanged": "≤ 1.5 × fetch",
        "directory.sync.incremental_1pct": "≤ 2 s",
        "directory.sync.peak_rss": "≤ 300 MB",
        "directory.signin.backend": "≤ 2 × bare",
        "directory.signin.backend_vs_kept_bare": "(reference)",
        "directory.signin.post": "p95 ≤ bare p95 + 30 ms",
    }
    for f in figures:
        unit = f["unit"]
        scale, suffix = (1000, " ms") if unit == "s" and f["value"] < 1 else (1, f" {unit}")
        extra = ""
        if "p95_beyond_directory_ms" in f:
            extra = f" (p95 beyond directory: {f['p95_beyond_directory_ms']} ms)"
        if "entries_read_median" in f:
            extra = f" ({f['entries_read_median']:.0f} entries read)"
        lines.append(
            f"| {f['id']} | {f['value'] * scale:.1f}{suffix}{extra} | "
            f"{f['baseline_value'] * scale:.1f}{suffix} ({f['baseline']}) | "
            f"{f['ratio']} ({f['ratio_min']}–{f['ratio_max']}) | {f['p95'] * scale:.1f}{suffix} | "
            f"{targets.get(f['id'], '')} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--sign-ins", type=int, default=400)
    parser.add_argument("--no-pin", action="store_true", help="do not pin CPUs with taskset")
    add_result_arguments(parser)
    parser.add_argument("--probe", choices=["sync", "fetch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        return probe(args.probe)

    workdir = Path(tempfile.mkdtemp(prefix="transverse-bench-directory-"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir: Path) -> None:
    pin = not args.no_pin and shutil.which("taskset") and os.cpu_count() >= 2
    ldif = workdir / "directory.ldif"
    info = generate(ldif, args.size)
    server = Slapd(workdir / "slapd", maxsize=2 << 30)
    server.configure()
    started = time.perf_counter()
    server.load(ldif)
    load_s = time.perf_counter() - started
    server.start(prefix=["taskset", "-c", "1"] if pin else [])
    if pin:
        os.sched_setaffinity(0, {0})
    try:
        environment(workdir, server.url)
        setup_django(postgres=False)
        from django.db import connection

        keep_pristine_database()
        record = Run("directory", args.size, label=args.label, history=not args.no_history)
        media = Path(os.environ["TRANSVERSE_VAR_DIR"]) / "media"
        figures = []
        figures += bench_full_and_resync(args.size, args.pairs, media)
        figures += bench_incremental(server, args.size, args.pairs)
        figures += bench_sign_in(args.size, args.sign_ins)
        figures += bench_memory(args.size, media, args.pairs)
    finally:
        server.stop()
    for figure_ in figures:
        record.add(figure_)
    meta = {
        "size": args.size,
        "date": record.date,
        "commit": record.commit,
        "load_s": load_s,
        "units": info["units"],
        "database": connection.vendor,
        "pinned": "slapd on CPU 1, benchmark on CPU 0" if pin else "no",
    }
    record.finish(summary(figures, meta))


if __name__ == "__main__":
    main()
