"""The state of what the site depends on, for /healthz: the database, Redis, the worker.

Only the database decides whether this process can serve (503 without it): pages keep
working with Redis down (live updates pause, docs/realtime.md) or with the worker late
(e-mails and index updates wait in the database queue). Those two make the answer
"degraded", so monitoring sees them without a load balancer taking every node out.
"""

import datetime

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

# A ready task waiting longer than this means no worker is taking tasks.
WORKER_LATE_AFTER = datetime.timedelta(minutes=5)
REDIS_TIMEOUT_SECONDS = 1.0


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
    """Whether a task has been due for longer than WORKER_LATE_AFTER ("late") or not."""
    now = timezone.now()
    cutoff = now - WORKER_LATE_AFTER
    # ready() holds the tasks due now; one with run_after in the future has none (it was
    # due from its enqueueing).
    due_long_ago = Q(run_after__lt=cutoff) | Q(run_after__gt=now, enqueued_at__lt=cutoff)
    late = DBTaskResult.objects.ready().filter(due_long_ago).exists()
    return "late" if late else "ok"


def site_health() -> tuple[dict, int]:
    """The /healthz answer and its HTTP status."""
    if database_state() != "ok":
        return {"status": "error", "database": "error"}, 503
    answer = {"status": "ok", "database": "ok", "worker": worker_state()}
    redis_answer = redis_state()
    if redis_answer is not None:
        answer["redis"] = redis_answer
    if answer["worker"] != "ok" or answer.get("redis", "ok") != "ok":
        answer["status"] = "degraded"
    return answer, 200
