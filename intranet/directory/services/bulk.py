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
    with connection.cursor() as cursor:
        prepare = [(f.attname, _preparer(f) if f.attname in given else _plain) for f in fields]
        for start in range(0, len(rows), batch_size):
            cursor.executemany(
                sql,
                [
                    [prep(row[name] if name in row else defaults[name], connection)
                     for name, prep in prepare]
                    for row in rows[start : start + batch_size]
                ],
            )  # fmt: skip
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
