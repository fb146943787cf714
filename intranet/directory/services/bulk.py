"""Fast bulk writes of agents for the directory sync: one statement, many rows.

Django's bulk_update() writes one CASE WHEN per field per row, and bulk_create() prepares
every field of every object; for tens of thousands of agents both cost far more than
reading the directory. Here text, integers and booleans go as they are, other values
(JSON, dates) through their field's get_db_prep_save() as the ORM would, and the rows go
to the database with executemany(), on SQLite and PostgreSQL alike.
"""

from django.db import connection, models

from intranet.accounts.models import User

# Fields whose Python value (str, int, bool, None) is already what the database takes.
_PLAIN = (models.CharField, models.TextField, models.BooleanField, models.ForeignKey)


def _plain(value, _connection):
    return value


def _preparer(field):
    if isinstance(field, (*_PLAIN, models.FileField)):  # file fields hold their name here
        return _plain
    return field.get_db_prep_save


def _converters(fields):
    """A function converting, in place, the columns of a row that need it (JSON...).

    Converted values are remembered: directory rows repeat the same few JSON lists.
    """
    needed = {f.attname: f.get_db_prep_save for f in fields if _preparer(f) is not _plain}
    memo: dict = {}

    def convert(values: list, names: list[str]) -> list:
        for index, name in enumerate(names):
            prep = needed.get(name)
            if prep is None:
                continue
            value = values[index]
            key = (name, repr(value))
            if key not in memo:
                memo[key] = prep(value, connection)
            values[index] = memo[key]
        return values

    return convert


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


def _prepared(fields, rows):
    prepare = [(field.attname, _preparer(field)) for field in fields]
    for row in rows:
        yield [prep(row[name], connection) for name, prep in prepare]


def users_insert(rows: list[dict], *, batch_size: int = 2000) -> int:
    """Insert agents given as {attname: value}; absent columns take the field's default."""
    if not rows:
        return 0
    given = set().union(*(row.keys() for row in rows))
    fields = [f for f in User._meta.concrete_fields if f.attname in given or not f.primary_key]
    # Defaults are prepared once: the same value goes into every row.
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in fields
        if f.attname not in given
    }
    quote = connection.ops.quote_name
    # Only quoted identifiers from the model go into the SQL text; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(User._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    converters = _converters([f for f in fields if f.attname in given])
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                sql,
                [
                    converters([row.get(name, defaults.get(name)) for name in names], names)
                    for row in rows[start : start + batch_size]
                ],
            )
    return len(rows)


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
                for values, row in zip(_prepared(fields, batch), batch, strict=True)
            ]
            cursor.executemany(sql, params)
    return len(rows)
