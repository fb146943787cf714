"""The state of what the site depends on, for /healthz.

Only the database decides whether this process can serve (503 without it). Everything
else pages survive makes the answer "degraded" (200), so monitoring sees it without a
load balancer taking every node out: Redis unreachable (live updates pause), the worker
down or late (e-mails and index updates wait in the database queue), tasks failed in the
last hour, the search index missing or unreadable (searches say "unavailable"), little
free disk space for uploads or the index, PostgreSQL connections near max_connections.
docs/deploy.md says what to alert on.
"""

import datetime
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intranet.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
# A ready task waiting longer than this means no worker is taking tasks.
WORKER_LATE_AFTER = datetime.timedelta(minutes=5)
FAILED_WITHIN = datetime.timedelta(hours=1)
REDIS_TIMEOUT_SECONDS = 1.0
CONNECTIONS_HIGH_SHARE = 0.8  # of the connections non-superusers may open


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure of the driver or the server means the same here
        return "error"
    return "ok"


def redis_state() -> str | None:
    """Whether Redis answers a PING ("ok", "unreachable"); None without REDIS_URL."""
    if not settings.REDIS_URL:
        return None
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    except (redis.RedisError, OSError):
        return "unreachable"
    finally:
        client.close()
    return "ok"


def worker_state() -> str:
    """ "down" (no worker heartbeat within TRANSVERSE_WORKER_LOST_AFTER), "late" (a task
    has been due for longer than WORKER_LATE_AFTER) or "ok"."""
    now = timezone.now()
    lost = now - datetime.timedelta(seconds=settings.TRANSVERSE_WORKER_LOST_AFTER)
    if not WorkerHeartbeat.objects.filter(beat_at__gte=lost).exists():
        return "down"
    cutoff = now - WORKER_LATE_AFTER
    # ready() holds the tasks due now; one with run_after in the future has none (it was
    # due from its enqueueing).
    due_long_ago = Q(run_after__lt=cutoff) | Q(run_after__gt=now, enqueued_at__lt=cutoff)
    late = DBTaskResult.objects.ready().filter(due_long_ago).exists()
    return "late" if late else "ok"


def failed_tasks() -> int:
    """Tasks that failed within the last hour (the admin's task results say which)."""
    since = timezone.now() - FAILED_WITHIN
    return DBTaskResult.objects.failed().filter(finished_at__gte=since).count()


_checks: dict[str, Callable[[], str]] = {}


def health_check_register(name: str, check: Callable[[], str]) -> None:
    """An app's own dependency in /healthz (the search index): check() says "ok" when
    all is well, anything else makes the answer "degraded"."""
    _checks[name] = check


def _free_bytes(path: Path) -> int:
    """Free bytes for an unprivileged writer on path's filesystem (or its nearest parent)."""
    path = Path(path).resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def disk_state() -> str:
    """ "low" when the media or the index folder has less than TRANSVERSE_HEALTH_MIN_FREE_MB."""
    minimum = settings.TRANSVERSE_HEALTH_MIN_FREE_MB * 1024 * 1024
    places = [settings.MEDIA_ROOT]
    if settings.TRANSVERSE_SEARCH_ENGINE != "postgres":
        places.append(settings.TRANSVERSE_SEARCH_INDEX_DIR)
    try:
        low = any(_free_bytes(place) < minimum for place in places)
    except OSError:
        return "error"
    return "low" if low else "ok"


def connections_state() -> str | None:
    """PostgreSQL: "high" when client connections reach 80 % of what non-superusers may
    open (max_connections less the reserved ones), else "ok"; None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE backend_type = 'client backend'),"
            " current_setting('max_connections')::int,"
            " current_setting('superuser_reserved_connections')::int"
            " FROM pg_stat_activity"
        )
        used, maximum, reserved = cursor.fetchone()
    return "high" if used >= CONNECTIONS_HIGH_SHARE * (maximum - reserved) else "ok"


def site_health() -> tuple[dict, int]:
    """The /healthz answer and its HTTP status."""
    if database_state() != "ok":
        return {"status": "error", "database": "error"}, 503
    answer = {"status": "ok", "database": "ok"}
    try:
        answer.update(
            worker=worker_state(),
            failed_tasks=failed_tasks(),
            disk=disk_state(),
            **{name: check() for name, check in _checks.items()},
        )
        pg_connections = connections_state()
    except Exception:  # the database went away between two questions
        logger.warning("health check interrupted", exc_info=True)
        return {"status": "error", "database": "error"}, 503
    if pg_connections is not None:
        answer["database_connections"] = pg_connections
    redis_answer = redis_state()
    if redis_answer is not None:
        answer["redis"] = redis_answer
    healthy = {"status": "ok", "database": "ok", "failed_tasks": 0}
    if any(value != healthy.get(key, "ok") for key, value in answer.items()):
        answer["status"] = "degraded"
    return answer, 200
