"""Fast bulk writes of agents for the directory sync: one statement, many rows.

Django's bulk_update() writes one CASE WHEN per field per row, and bulk_create() prepares
every field of every object; for tens of thousands of agents both cost far more than
reading the directory. Inserts go through intranet.core.bulk; updates are one prepared
UPDATE per row sent with executemany(), on SQLite and PostgreSQL alike.
"""

from django.db import connection

from intranet.accounts.models import User
from intranet.core.bulk import rows_insert, rows_prepared


def users_reserve_ids(count: int) -> list[int] | None:
    """count fresh agent ids, to insert rows that already point at each other (managers).

    PostgreSQL hands them out from the table's sequence, safe against concurrent inserts.
    SQLite: the caller's transaction holds the write lock (IMMEDIATE), so the ids after the
    largest ever given are free. None on other databases: ids come at insert time.
    """
    if count <= 0:
        return []
    table, column = User._meta.db_table, User._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor == "sqlite" and connection.in_atomic_block:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quote(column)}) FROM {quote(table)}")  # noqa: S608
            last = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
            return list(range(last + 1, last + 1 + count))
    return None


def users_set_manager(changes: list[tuple[int, int | None]]) -> int:
    """Set manager_id for (agent id, manager id) pairs: one UPDATE per manager, not per agent."""
    by_manager: dict[int | None, list[int]] = {}
    for pk, manager_id in changes:
        by_manager.setdefault(manager_id, []).append(pk)
    for manager_id, pks in by_manager.items():
        for start in range(0, len(pks), 500):
            User.objects.filter(pk__in=pks[start : start + 500]).update(manager_id=manager_id)
    return len(changes)


def users_insert(rows: list[dict], *, batch_size: int = 2000) -> int:
    """Insert agents given as {attname: value}; absent columns take the field's default."""
    return rows_insert(User, rows, batch_size=batch_size)


def users_update(rows: list[dict], names: list[str], *, batch_size: int = 2000) -> int:
    """Set columns names of each agent {"id": ..., name: value, ...} (attnames)."""
    if not rows:
        return 0
    fields = [User._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
        quote(User._meta.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in fields),
        quote(User._meta.pk.column),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params = [
                [*values, row["id"]]
                for values, row in zip(rows_prepared(User, names, batch), batch, strict=True)
            ]
            cursor.executemany(sql, params)
    return len(rows)
