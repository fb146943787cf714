"""The nightly retention run (intranet.core.retention) on a large site: time, peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/transverse_bench_metrics \\
        .venv/bin/python bench/privacy/retention.py --size L --pairs 3

The site is bench/stream's feed data set of that size (agents, groups, posts, comments,
reactions, kept between runs), plus what retention removes, spread evenly over the last
two years: chat messages, notifications, audit entries, finished tasks and expired
sessions (counts in ROWS; about half is older than the settings below). Then, `--pairs`
times in turn, each inside a transaction rolled back at the end, so every call finds
the same rows:

- baseline: one DELETE per table of the rows past their cut-off, in SQL: what any
  retention pays at least;
- candidate: retention_apply(), i.e. every registered rule in batches of 1,000, with
  what goes with them (a chat message's search removal queued).

Peak memory as in bench/privacy/export.py (VmHWM above the resident set before the call).
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.common import Run, add_result_arguments, setup_django  # noqa: E402
from bench.privacy.export import measured  # noqa: E402

# Rows that retention looks at, per size (beside bench/stream's data set of that size).
ROWS = {
    "S": dict(chat=20_000, notifications=20_000, audit=10_000, tasks=2_000, sessions=2_000),  # noqa: C408
    "M": dict(chat=200_000, notifications=200_000, audit=50_000, tasks=10_000, sessions=10_000),  # noqa: C408
    "L": dict(chat=500_000, notifications=500_000, audit=200_000, tasks=50_000, sessions=50_000),  # noqa: C408
}
DAYS = {"CHAT": 365, "NOTIFICATIONS": 180, "AUDIT": 365, "TASKS": 14}
SPREAD_DAYS = 730
TASKS_TABLE = "django_tasks_database_dbtaskresult"  # django-tasks-db's table


def populate(rows: dict) -> dict:
    """The rows retention works on, created once; ages spread over SPREAD_DAYS."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django_tasks_db.models import DBTaskResult, get_date_max

    from intranet.accounts.models import User
    from intranet.audit.models import AuditEntry
    from intranet.chat.models import Conversation, Message
    from intranet.notifications.models import Notification

    agents = list(User.objects.order_by("pk").values_list("pk", flat=True)[:1000])
    if not Message.objects.filter(idempotency_key__startswith="ret-").exists():
        conversation = Conversation.objects.create(
            kind="named", name="Rétention", created_by_id=agents[0]
        )
        batches = [
            (Message, rows["chat"], lambda i: Message(
                conversation=conversation, seq=i + 1, rev=i + 1, sender_id=agents[i % len(agents)],
                idempotency_key=f"ret-{i:09d}", body="Un message ancien", body_html="<p>x</p>")),
            (Notification, rows["notifications"], lambda i: Notification(
                recipient_id=agents[i % len(agents)], kind="mention", channel="in_app")),
            (AuditEntry, rows["audit"], lambda i: AuditEntry(
                kind="accounts.sign_in", actor_id=agents[i % len(agents)], address="192.0.2.1")),
            (DBTaskResult, rows["tasks"], lambda i: DBTaskResult(
                status="SUCCESSFUL", args_kwargs={"args": [], "kwargs": {}},
                task_path="intranet.search.tasks.search_index_drain", backend_name="default",
                run_after=get_date_max(),
                exception_class_path="", traceback="")),
            (Session, rows["sessions"], lambda i: Session(
                session_key=f"retentionbench{i:020d}", session_data="e30=",
                expire_date="2025-01-01T00:00Z")),
        ]  # fmt: skip
        for model, count, make in batches:
            for start in range(0, count, 10_000):
                model.objects.bulk_create(
                    [make(i) for i in range(start, min(count, start + 10_000))], batch_size=10_000
                )
            print(f"{model.__name__}: {count:,}", flush=True)
        with connection.cursor() as cursor:
            for table, column in (
                ("chat_message", "created_at"),
                ("notifications_notification", "created_at"),
                ("audit_auditentry", "created_at"),
                (TASKS_TABLE, "finished_at"),
            ):
                cursor.execute(
                    f"UPDATE {table} SET {column} = now() - (id_num % {SPREAD_DAYS}) "  # noqa: S608
                    "* interval '1 day'".replace("id_num", _id_expression(table))
                )
            # Sessions: half past their expiry date.
            cursor.execute(
                "UPDATE django_session SET expire_date = now() + "
                "(CASE WHEN right(session_key, 1) IN ('0','2','4','6','8') "
                "THEN interval '-1 day' ELSE interval '1 day' END) "
                "WHERE session_key LIKE 'retentionbench%'"
            )
            cursor.execute("ANALYZE")
    return {
        "chat": Message.objects.count(),
        "notifications": Notification.objects.count(),
        "audit": AuditEntry.objects.count(),
        "tasks": DBTaskResult.objects.count(),
        "sessions": Session.objects.count(),
    }


def _id_expression(table: str) -> str:
    # The task table's key is a UUID: its first hex digits make a number as even.
    if table == TASKS_TABLE:
        return "('x' || substr(replace(id::text, '-', ''), 1, 8))::bit(32)::int::bigint"
    return "id"


def baseline_sql() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table, column, days in (
            ("chat_message", "created_at", DAYS["CHAT"]),
            ("notifications_notification", "created_at", DAYS["NOTIFICATIONS"]),
            ("audit_auditentry", "created_at", DAYS["AUDIT"]),
        ):
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} < now() - interval '{days} days'"  # noqa: S608
            )
        cursor.execute(
            f"DELETE FROM {TASKS_TABLE} WHERE status IN ('SUCCESSFUL', 'FAILED') "  # noqa: S608
            f"AND finished_at < now() - interval '{DAYS['TASKS']} days'"
        )
        cursor.execute("DELETE FROM django_session WHERE expire_date < now()")


def rolled_back(function):
    """Run function in a transaction rolled back afterwards (the rows stay for the next)."""
    from django.db import transaction

    def call():
        result = {}
        with transaction.atomic():
            result["value"] = function()
            transaction.set_rollback(True)
        return result.get("value")

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=ROWS, default="S")
    parser.add_argument("--pairs", type=int, default=3)
    add_result_arguments(parser)
    args = parser.parse_args()
    for name, days in DAYS.items():
        os.environ[f"TRANSVERSE_RETENTION_{name}_DAYS"] = str(days)
    os.environ.setdefault("TRANSVERSE_DEMO", "true")
    setup_django()
    from bench.stream.run import SIZES, generate
    from intranet.core.retention import retention_apply, retention_plan

    generate(SIZES[args.size])
    counts = populate(ROWS[args.size])
    plan = {rule.name: n for rule, _cutoff, n in retention_plan()}
    run = Run("privacy", f"retention-{args.size}", label=args.label, history=not args.no_history)
    base_call, cand_call = rolled_back(baseline_sql), rolled_back(retention_apply)
    removed = cand_call()  # warm-up, and what a run removes
    base_call()
    base, cand = [], []
    for _ in range(args.pairs):
        base.append(measured(base_call))
        cand.append(measured(cand_call))
    med = {
        "baseline_s": statistics.median(t for t, _ in base),
        "retention_s": statistics.median(t for t, _ in cand),
        "baseline_peak_kib": statistics.median(m for _, m in base),
        "retention_peak_kib": statistics.median(m for _, m in cand),
        "retention_runs_s": [round(t, 2) for t, _ in cand],
        "baseline_runs_s": [round(t, 2) for t, _ in base],
    }
    med["ratio"] = med["retention_s"] / med["baseline_s"]
    assert removed == plan, (removed, plan)  # the dry run says what the run removes
    run.add(
        {"id": "privacy.retention", "size": args.size, "rows": counts, "removed": removed, **med}
    )
    total = sum(removed.values())
    run.finish(
        f"# Retention run, size {args.size}\n\n"
        f"Rows: {counts}; removed per run: {removed} ({total:,}).\n\n"
        "| | baseline (one DELETE per table) | retention_apply (batches of 1,000) |\n"
        "|---|---|---|\n"
        f"| median time (s) | {med['baseline_s']:.2f} | {med['retention_s']:.2f} |\n"
        f"| median peak RSS above start (KiB) | {med['baseline_peak_kib']:.0f} | "
        f"{med['retention_peak_kib']:.0f} |\n\n"
        f"Ratio retention / baseline: {med['ratio']:.2f}; {total / med['retention_s']:,.0f} "
        f"rows/s; {args.pairs} interleaved pairs, each rolled back.\n"
    )


if __name__ == "__main__":
    main()
