"""Prometheus metrics: every definition, the processes' shared directory, the scrape.

Production runs several daphne processes and a worker, so prometheus-client works in
multiprocess mode: each process writes its counters, histograms and live gauges into
memory-mapped files under TRANSVERSE_METRICS_DIR (var/metrics by default), and the
endpoint (intranet.core.views.metrics) adds them up at scrape time. Apps increment the
counters below from their services with one call; figures read from the database (task
queue, search lag, connections) are computed at scrape time by collectors that apps
register with `scrape_collector` in their own metrics.py. Labels carry route names,
task paths and outcomes only: no address, no agent, nothing a person typed, and a
bounded number of values.

At start (`metrics_start`), the files of processes that have ended are folded into one
archive file per type: a counter's total never goes back (Prometheus would read a drop
as a reset, then count the rest again), and the directory does not grow with restarts.
Their live gauges (open sockets, pool connections) are removed. A scrape reads the files
under a shared lock, so it never sees a file half-folded.
"""

import fcntl
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import autodiscover_modules

from intranet.core.addresses import client_ip, through_untrusted_proxy

_DIRECTORY = Path(settings.TRANSVERSE_METRICS_DIR)
_DIRECTORY.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_DIRECTORY)

# prometheus-client picks its multiprocess values when first imported: chosen again here
# in case a library imported it before the directory was set.
from prometheus_client import values  # noqa: E402

values.ValueClass = values.get_value_class()

from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily  # noqa: E402
from prometheus_client.mmap_dict import MmapedDict  # noqa: E402
from prometheus_client.multiprocess import MultiProcessCollector  # noqa: E402

logger = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

# --- Pages -------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "transverse_http_requests",
    "Requests answered, by route name, method and status class (2xx, 4xx, 5xx...).",
    ["view", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "transverse_http_request_duration_seconds",
    "Time from the first middleware to the response, by route name.",
    ["view"],
    buckets=LATENCY_BUCKETS,
)
# --- Sockets and chat --------------------------------------------------------------------
WEBSOCKETS_OPEN = Gauge(
    "transverse_websockets_open",
    "Signed-in WebSockets open in each process (label pid).",
    multiprocess_mode="liveall",
)
CHAT_SENDS = Counter("transverse_chat_messages_sent", "Chat messages stored (retries excluded).")
CHAT_DELIVERIES = Counter(
    "transverse_chat_deliveries", "Chat events (new, edited, deleted messages) sent to a socket."
)
CHAT_REPLAYS = Counter(
    "transverse_chat_replays", "Conversations replayed to a reconnecting socket from its cursor."
)
CHAT_REPLAYED_MESSAGES = Counter(
    "transverse_chat_replayed_messages", "Messages sent again in those replays."
)
# --- Background work ---------------------------------------------------------------------
TASKS_FAILED = Counter(
    "transverse_tasks_failed", "Background tasks that ended failed, by task path.", ["task"]
)
# --- Directory and sign-in ---------------------------------------------------------------
DIRECTORY_SYNC_RUNS = Counter(
    "transverse_directory_sync_runs",
    "Directory sync runs, by mode (full, incremental) and status (succeeded, refused, failed).",
    ["mode", "status"],
)
DIRECTORY_SYNC_DURATION = Histogram(
    "transverse_directory_sync_duration_seconds",
    "Duration of directory sync runs, by mode.",
    ["mode"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600),
)
SIGN_IN_FAILURES = Counter(
    "transverse_sign_in_failures",
    "Refused sign-ins, by reason (credentials, throttled, directory-unavailable, malformed).",
    ["reason"],
)
# --- Database ----------------------------------------------------------------------------
DB_POOL_CONNECTIONS = Gauge(
    "transverse_db_pool_connections",
    "Connections of each process's psycopg pool, by state (in_use, idle) (label pid).",
    ["state"],
    multiprocess_mode="liveall",
)
POOL_REFRESH_SECONDS = 1.0  # a process's pool gauges are written at most this often

# --- Recording helpers (one line at each call site) --------------------------------------


def request_observe(view: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(view, method, f"{status // 100}xx").inc()
    HTTP_LATENCY.labels(view).observe(seconds)


def directory_sync_observe(mode: str, status: str, seconds: float) -> None:
    DIRECTORY_SYNC_RUNS.labels(mode, status).inc()
    DIRECTORY_SYNC_DURATION.labels(mode).observe(seconds)


def chat_replay_observe(messages: int) -> None:
    CHAT_REPLAYS.inc()
    CHAT_REPLAYED_MESSAGES.inc(messages)


def task_failed(task_path: str) -> None:
    TASKS_FAILED.labels(task_path[:200]).inc()


def task_finished_observe(sender, task_result, **kwargs) -> None:
    """django-tasks' task_finished signal (connected in CoreConfig.ready)."""
    if str(getattr(task_result.status, "value", task_result.status)) == "FAILED":
        task_failed(task_result.task.module_path)


_pool_written_at = float("-inf")


def pool_refresh(*, force: bool = False) -> None:
    """Write this process's pool figures (at most once a second unless forced)."""
    global _pool_written_at
    now = time.monotonic()
    if not force and now - _pool_written_at < POOL_REFRESH_SECONDS:
        return
    _pool_written_at = now
    pool = getattr(connection, "pool", None)  # PostgreSQL with TRANSVERSE_DB_POOL_SIZE > 0
    if pool is None:
        return
    stats = pool.get_stats()
    size, idle = stats.get("pool_size", 0), stats.get("pool_available", 0)
    DB_POOL_CONNECTIONS.labels("in_use").set(size - idle)
    DB_POOL_CONNECTIONS.labels("idle").set(idle)


class RequestMetricsMiddleware:
    """Counts each request and its latency under its route name (`app:name`, or the
    view's dotted path for an unnamed route, "unresolved" when no route matched): never
    its path, which carries ids, slugs and search words."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unresolved"
        method = request.method if request.method in KNOWN_METHODS else "other"
        request_observe(view[:120], method, response.status_code, time.perf_counter() - started)
        pool_refresh()
        return response


KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

# --- Scrape-time collectors ---------------------------------------------------------------

_collectors: list[Callable[[], Iterable]] = []
_discovered = False


def scrape_collector(function: Callable[[], Iterable]) -> Callable[[], Iterable]:
    """Register a function yielding metric families, run at each scrape (in the
    scraping process; a database error skips its figures for that scrape)."""
    if function not in _collectors:
        _collectors.append(function)
    return function


class _ScrapeTime:
    def collect(self):
        for function in list(_collectors):
            try:
                yield from list(function())
            except DatabaseError:
                logger.warning("metrics: %s could not read the database", function.__name__)


def gauge(name: str, documentation: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, labels=labels)


@scrape_collector
def task_queue():
    """Tasks ready to run, and how long the oldest has waited, by task path."""
    from django.db.models import Case, Count, F, Min, When
    from django.db.models.functions import Greatest
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult, get_date_max

    now, no_date = timezone.now(), get_date_max()
    waiting_since = Case(
        When(run_after=no_date, then=F("enqueued_at")),
        default=Greatest(F("enqueued_at"), F("run_after")),
    )
    rows = (
        DBTaskResult.objects.ready()
        .values("task_path")
        .annotate(depth=Count("id"), oldest=Min(waiting_since))
        .order_by()
    )
    depth = gauge("transverse_task_queue_depth", "Tasks ready to run, by task path.", ["task"])
    age = gauge(
        "transverse_task_queue_oldest_age_seconds",
        "How long the oldest ready task has waited, by task path.",
        ["task"],
    )
    for row in rows:
        depth.add_metric([row["task_path"][:200]], row["depth"])
        age.add_metric([row["task_path"][:200]], max(0.0, (now - row["oldest"]).total_seconds()))
    yield depth
    yield age


@scrape_collector
def database_connections():
    """The connections of this site's database as PostgreSQL counts them, and its limit;
    the scraping process's pool figures are written first."""
    pool_refresh(force=True)
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() GROUP BY 1"
        )
        rows = cursor.fetchall()
        cursor.execute("SHOW max_connections")
        limit = int(cursor.fetchone()[0])
    states = gauge(
        "transverse_db_connections",
        "Server connections to this site's database, by state (pg_stat_activity).",
        ["state"],
    )
    for state, count in rows:
        states.add_metric([re.sub(r"[^a-z_ ]", "", state)[:40]], count)
    yield states
    ceiling = gauge("transverse_db_max_connections", "The server's max_connections.")
    ceiling.add_metric([], limit)
    yield ceiling


# --- The directory and the scrape ---------------------------------------------------------

_LOCK_NAME = ".lock"


@contextmanager
def _locked(exclusive: bool):
    with open(_DIRECTORY / _LOCK_NAME, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _pid_of(path: Path) -> int | None:
    tail = path.stem.rpartition("_")[2]
    return int(tail) if tail.isdigit() else None


def _fold(path: Path, archive: Path) -> None:
    """Add the values of a dead process's file to the archive file of its type."""
    target = MmapedDict(str(archive))
    try:
        for key, value, timestamp, _pos in MmapedDict.read_all_values_from_file(str(path)):
            old_value, _old_timestamp = target.read_value(key)
            target.write_value(key, old_value + value, timestamp)
    finally:
        target.close()


def stale_files_fold(directory: Path | None = None) -> int:
    """Fold the files of ended processes (see the module docstring); how many."""
    directory = directory or _DIRECTORY
    folded = 0
    with _locked(exclusive=True):
        for path in sorted(directory.glob("*.db")):
            pid = _pid_of(path)
            if pid is None or pid == os.getpid() or _alive(pid):
                continue
            kind = path.name.split("_")[0]
            if kind in ("counter", "histogram", "summary"):
                _fold(path, directory / f"{kind}_archive.db")
            elif kind == "gauge" and not path.name.split("_")[1].startswith("live"):
                continue  # not used here: left for an operator to judge
            path.unlink(missing_ok=True)
            folded += 1
    return folded


def metrics_start() -> None:
    """At a process's start (CoreConfig.ready): fold what ended processes left."""
    try:
        stale_files_fold()
    except OSError:
        logger.warning("metrics: %s could not be tidied", _DIRECTORY, exc_info=True)


def scrape_allowed(request) -> bool:
    """The bearer token (TRANSVERSE_METRICS_TOKEN), or a client address among
    TRANSVERSE_METRICS_ALLOWED_ADDRESSES that came directly or through a trusted proxy
    (a local nginx not listed as a proxy would make every visitor 127.0.0.1)."""
    token = settings.TRANSVERSE_METRICS_TOKEN
    scheme, _space, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if token and scheme.lower() == "bearer" and constant_time_compare(given.strip(), token):
        return True
    if through_untrusted_proxy(request):
        return False
    client = client_ip(request)
    allowed = settings.TRANSVERSE_METRICS_ALLOWED_ADDRESSES
    return client is not None and any(client in network for network in allowed)


def scrape() -> bytes:
    """The text exposition of every process's metrics and the scrape-time figures."""
    global _discovered
    if not _discovered:
        autodiscover_modules("metrics")  # apps' scrape-time collectors
        _discovered = True
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(_DIRECTORY))
    registry.register(_ScrapeTime())
    with _locked(exclusive=False):
        return generate_latest(registry)
