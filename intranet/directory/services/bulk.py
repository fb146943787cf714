"""Fast bulk writes of agents for the directory sync: one statement, many rows.

Django's bulk_update() writes one CASE WHEN per field per row, and bulk_create() prepares
every field of every object; for tens of thousands of agents both cost far more than
reading the directory. Here each value still goes through its field's get_db_prep_save()
(JSON, dates, booleans are converted as the ORM would), and the rows go to the database
with executemany(), on SQLite and PostgreSQL alike.
"""

from django.db import connection

from intranet.accounts.models import User


def _prepared(fields, rows):
    prepare = [(field.attname, field.get_db_prep_save) for field in fields]
    for row in rows:
        yield [prep(row[name], connection) for name, prep in prepare]


def users_insert(rows: list[dict], *, batch_size: int = 2000) -> int:
    """Insert agents given as {attname: value}; absent columns take the field's default."""
    if not rows:
        return 0
    given = set().union(*(row.keys() for row in rows))
    fields = [f for f in User._meta.concrete_fields if f.attname in given or not f.primary_key]
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in given}
    quote = connection.ops.quote_name
    # Only quoted identifiers from the model go into the SQL text; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(User._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = [{**defaults, **row} for row in rows[start : start + batch_size]]
            cursor.executemany(sql, list(_prepared(fields, batch)))
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
